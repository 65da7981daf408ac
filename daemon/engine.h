/* The engine ties the modules together for one run of yamorid: capture ->
 * decode -> inventory and flows, with periodic work (flow expiry, batched
 * commits) driven by the capture clock. In file mode the packets' timestamps
 * are the only clock; live, the wall clock advances it between packets. */
#ifndef YM_ENGINE_H
#define YM_ENGINE_H

#include <stddef.h>

#include <uv.h>

#include "config.h"
#include "util.h"

struct ym_engine;

/* Opens the registry, the store (restoring known devices) and the tables.
 * On failure returns -errno with one plain line in err. */
int ym_engine_init(struct ym_engine **out, uv_loop_t *loop,
		   const struct ym_config *cfg, char *err, size_t errlen)
	YM_MUST_CHECK;

/* Starts reading capture files (in order, one continuous capture); the
 * engine stops the loop when the last one is done. */
int ym_engine_start_files(struct ym_engine *e, char **files, uint32_t n,
			  char *err, size_t errlen) YM_MUST_CHECK;

/* Starts the API; live capture does this itself. With capture files it
 * keeps the daemon answering after the last file (yamorid -r ... --serve),
 * which is how the panel's tests show a replayed household. */
int ym_engine_serve(struct ym_engine *e, char *err, size_t errlen)
	YM_MUST_CHECK;

/* Starts live capture on the configured interfaces. */
int ym_engine_start_live(struct ym_engine *e, char *err, size_t errlen)
	YM_MUST_CHECK;

/* Stops capture and timers, commits everything and closes the handles; run
 * the loop afterwards to let the close callbacks finish. Idempotent. */
void ym_engine_stop(struct ym_engine *e);

/* Frees the engine after the loop has drained. Returns the run's exit
 * status: 0, or 1 when the final commit failed. */
int ym_engine_fini(struct ym_engine *e);

/* yamorictl update FILE without a daemon: checks the bundle as the daemon
 * would (signature, hashes, version, expiry, every list loads) and puts it
 * in use in cfg's state directory. 0 and *version, or <0 with err. */
int ym_engine_update_offline(const struct ym_config *cfg, const char *file,
			     uint64_t *version, char *err, size_t errlen)
	YM_MUST_CHECK;

#endif
