#include "csq/snapshot.h"

namespace csq {

std::string toString(Phase phase)
{
    switch (phase) {
    case Phase::Float: return "float";
    case Phase::Search: return "search";
    case Phase::Ticket: return "ticket";
    case Phase::Finetune: return "finetune";
    case Phase::Done: return "done";
    }
    return "unknown";
}

}  // namespace csq
