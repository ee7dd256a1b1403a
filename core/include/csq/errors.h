#pragma once
// The engine's error type: what was wrong, where (file, field, layer) and what to do. Thrown inside
// core; caught at its boundary (Session, csq-train, the GUI) and shown as the message.
#include <stdexcept>
#include <string>

namespace csq {

class Error : public std::runtime_error {
public:
    // where: "config.json: epochs", "/path/train-images-idx3-ubyte.gz", "layer features.0" ...
    Error(std::string where, const std::string& what, const std::string& hint = {})
        : std::runtime_error(where + ": " + what + (hint.empty() ? std::string() : " — " + hint)),
          where_(std::move(where))
    {
    }
    const std::string& where() const { return where_; }

private:
    std::string where_;
};

}  // namespace csq
