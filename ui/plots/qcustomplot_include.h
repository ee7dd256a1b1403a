#pragma once
// The one place csqui includes QCustomPlot: its 2.1 header spells `signals` and `foreach`, which
// the project's QT_NO_KEYWORDS removes, so they are mapped to Q_SIGNALS / Q_FOREACH for it alone.
#ifndef signals
#define signals Q_SIGNALS
#define CSQ_QCP_UNDEF_SIGNALS
#endif
#ifndef foreach
#define foreach Q_FOREACH
#define CSQ_QCP_UNDEF_FOREACH
#endif

#include <qcustomplot.h>

#ifdef CSQ_QCP_UNDEF_SIGNALS
#undef signals
#undef CSQ_QCP_UNDEF_SIGNALS
#endif
#ifdef CSQ_QCP_UNDEF_FOREACH
#undef foreach
#undef CSQ_QCP_UNDEF_FOREACH
#endif
