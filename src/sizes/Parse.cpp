#include "sizes/Parse.h"

#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "base/Error.h"

namespace syno {

namespace {

// A cursor over one input string that knows how to complain about it.
class Cursor {
public:
    Cursor(const std::string& text, const char* what) : text_(text), what_(what) {}

    void skipSpace() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }
    bool atEnd() {
        skipSpace();
        return pos_ >= text_.size();
    }
    char peek() {
        skipSpace();
        return pos_ < text_.size() ? text_[pos_] : '\0';
    }
    bool accept(char c) {
        if (peek() != c) return false;
        ++pos_;
        return true;
    }
    void expect(char c, const char* expectation) {
        if (!accept(c)) fail(expectation);
    }
    bool atIdentifier() {
        char c = peek();
        return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
    }
    bool atNumber() {
        char c = peek();
        return std::isdigit(static_cast<unsigned char>(c)) || c == '-';
    }
    std::string identifier() {
        if (!atIdentifier()) fail("a variable name");
        size_t start = pos_;
        while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
            ++pos_;
        return text_.substr(start, pos_ - start);
    }
    int64_t integer() {
        skipSpace();
        size_t start = pos_;
        if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
        while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
        int64_t value = 0;
        auto [ptr, ec] = std::from_chars(text_.data() + start, text_.data() + pos_, value);
        if (ec != std::errc() || ptr != text_.data() + pos_) {
            pos_ = start;
            fail("an integer");
        }
        return value;
    }
    // Where the next token starts (after spaces), for error columns.
    size_t position() {
        skipSpace();
        return pos_;
    }
    [[noreturn]] void fail(const std::string& expectation) {
        skipSpace();
        std::string found = pos_ < text_.size() ? fmt::format("'{}'", text_[pos_]) : "the end";
        failAt(pos_, fmt::format("expected {} but found {}", expectation, found));
    }
    [[noreturn]] void failAt(size_t at, const std::string& message) {
        std::string shown = text_;
        for (char& c : shown)
            if (c == '\n' || c == '\r' || c == '\t') c = ' ';  // errors stay on one line
        throw Error(fmt::format("{} '{}': column {}: {}", what_, shown, at + 1, message));
    }

private:
    const std::string& text_;
    const char* what_;
    size_t pos_ = 0;
};

Size parseSizeAt(Cursor& c, const VariableTable& vars) {
    Size result;
    bool divide = false;
    while (true) {
        size_t at = c.position();
        Size factor;
        if (c.atIdentifier()) {
            std::string name = c.identifier();
            auto id = vars.find(name);
            if (!id) c.failAt(at, fmt::format("unknown variable '{}'", name));
            int power = 1;
            if (c.accept('^')) {
                int64_t p = c.integer();
                if (p < -20 || p > 20) c.failAt(at, fmt::format("exponent {} is out of range", p));
                power = static_cast<int>(p);
            }
            factor = Size::variable(*id, power);
        } else if (c.atNumber()) {
            int64_t v = c.integer();
            if (v != 1) {
                auto id = vars.find(std::to_string(v));
                if (!id) c.failAt(at, fmt::format("constant {} is not declared (add '{}' to the coefficients)", v, v));
                factor = Size::variable(*id);
            }
        } else {
            c.fail("a variable name or a number");
        }
        result = divide ? result / factor : result * factor;
        if (c.accept('*')) divide = false;
        else if (c.accept('/')) divide = true;
        else break;
    }
    return result;
}

}  // namespace

std::vector<Variable> parseSpecs(const std::string& text, VarKind kind) {
    Cursor c(text, kind == VarKind::Primary ? "primary spec" : "coefficient spec");
    std::vector<Variable> out;
    if (c.atEnd()) return out;
    while (true) {
        Variable v;
        v.kind = kind;
        size_t at = c.position();
        if (c.atIdentifier()) {
            v.name = c.identifier();
            if (c.accept('=')) {
                size_t valueAt = c.position();
                v.value = c.integer();
                if (*v.value <= 0) c.failAt(valueAt, fmt::format("'{}' must be positive", v.name));
            }
        } else if (c.atNumber()) {
            int64_t value = c.integer();
            if (value <= 1) c.failAt(at, "an anonymous constant must be at least 2");
            v.name = std::to_string(value);
            v.value = value;
            v.kind = VarKind::Coefficient;
        } else {
            c.fail("a variable name or a number");
        }
        for (const auto& earlier : out)
            if (earlier.name == v.name) c.failAt(at, fmt::format("'{}' is declared twice", v.name));
        if (c.accept(':')) {
            size_t occAt = c.position();
            int64_t occ = c.integer();
            if (occ < 0 || occ > 100) c.failAt(occAt, "the maximum occurrence count must be in 0..100");
            v.maxOccurrences = static_cast<int>(occ);
        }
        out.push_back(std::move(v));
        if (c.atEnd()) break;
        c.expect(',', "',' or the end");
    }
    return out;
}

Size parseSize(const std::string& text, const VariableTable& vars) {
    Cursor c(text, "size");
    Size s = parseSizeAt(c, vars);
    if (!c.atEnd()) c.fail("'*', '/' or the end");
    return s;
}

Shape parseShape(const std::string& text, const VariableTable& vars) {
    Cursor c(text, "shape");
    c.expect('[', "'['");
    Shape shape;
    if (c.peek() == ']') c.fail("at least one dimension");
    while (true) {
        size_t at = c.position();
        ShapeDim dim{parseSizeAt(c, vars), false};
        auto trait = dim.size.trait(vars);
        if (trait == SizeTrait::NegativePrimary)
            c.failAt(at, fmt::format("{} has a primary variable in a denominator", dim.size.toString(vars)));
        if (trait == SizeTrait::IllegalCoefficient)
            c.failAt(at, fmt::format("{} divides coefficients only, which is not a size", dim.size.toString(vars)));
        if (c.accept(':')) {
            size_t attrAt = c.position();
            std::string attr = c.identifier();
            if (attr != "unordered") c.failAt(attrAt, fmt::format("unknown attribute '{}' (known: unordered)", attr));
            dim.unordered = true;
        }
        shape.push_back(dim);
        if (c.accept(']')) break;
        c.expect(',', "',' or ']'");
    }
    if (!c.atEnd()) c.fail("the end after ']'");
    return shape;
}

std::vector<std::vector<std::pair<std::string, int64_t>>> parseBindings(const std::string& text) {
    Cursor c(text, "bindings");
    std::vector<std::vector<std::pair<std::string, int64_t>>> sets;
    if (c.atEnd()) return sets;
    sets.emplace_back();
    while (true) {
        std::string name = c.identifier();
        c.expect('=', "'='");
        size_t at = c.position();
        int64_t value = c.integer();
        if (value <= 0) c.failAt(at, fmt::format("{}={}: sizes must be positive", name, value));
        sets.back().emplace_back(name, value);
        if (c.atEnd()) break;
        if (c.accept(';')) {
            sets.emplace_back();
            continue;
        }
        c.expect(',', "',', ';' or the end");
    }
    return sets;
}

std::string shapeToString(const Shape& shape, const VariableTable& vars) {
    std::string out = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i) out += ", ";
        out += shape[i].size.toString(vars);
        if (shape[i].unordered) out += ": unordered";
    }
    return out + "]";
}

std::vector<Size> shapeSizes(const Shape& shape) {
    std::vector<Size> out;
    for (const auto& d : shape) out.push_back(d.size);
    return out;
}

}  // namespace syno
