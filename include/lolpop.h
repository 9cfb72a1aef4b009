/* lolpop.h — everything a plugin or embedding program needs, in one include. */
#ifndef LOLPOP_H
#define LOLPOP_H
#include "lolpop/error.h"
#include "lolpop/value.h"
#include "lolpop/diag.h"
#include "lolpop/config.h"
#include "lolpop/class.h"
#include "lolpop/type.h"
#include "lolpop/registry.h"
#include "lolpop/plugin.h"
#include "lolpop/object.h"
#include "lolpop/workflow.h"
#include "lolpop/dispatch.h"
#include "lolpop/log.h"
#include "lolpop/version.h"
#include "lolpop/frame.h"
#include "lolpop/csv.h"
#include "lolpop/frame_io.h"
#include "lolpop/objstore.h"
#include "lolpop/metrics.h"
#include "lolpop/model.h"
#include "lolpop/tuning.h"
#endif
