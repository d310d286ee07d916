#include "ir/TextForm.h"

#include <fstream>
#include <limits>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/Error.h"
#include "base/ReadFile.h"
#include "sizes/Parse.h"

namespace syno {

namespace {

constexpr const char* kHeader = "syno-operator";
constexpr int kVersion = 1;

std::string specsText(const VariableTable& vars, VarKind kind) {
    std::string out;
    for (const auto& v : vars.all()) {
        if (v.kind != kind) continue;
        std::string item = v.name;
        bool anonymous = !v.name.empty() && std::isdigit(static_cast<unsigned char>(v.name[0]));
        if (v.value && !anonymous) item += fmt::format("={}", *v.value);
        if (v.maxOccurrences != 3) item += fmt::format(": {}", v.maxOccurrences);
        out += (out.empty() ? "" : ", ") + item;
    }
    return out;
}

std::string joinNames(const std::vector<std::string>& names) {
    std::string out = "[";
    for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
    return out + "]";
}

std::string trim(const std::string& s) {
    size_t a = s.find_first_not_of(" \t\r");
    if (a == std::string::npos) return "";
    size_t b = s.find_last_not_of(" \t\r");
    return s.substr(a, b - a + 1);
}

std::vector<std::string> splitList(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == ',') {
            out.push_back(trim(cur));
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!trim(cur).empty() || !out.empty()) out.push_back(trim(cur));
    return out;
}

// "[a, b]" -> {a, b}
std::vector<std::string> bracketList(const std::string& s, const std::string& where) {
    std::string t = trim(s);
    if (t.size() < 2 || t.front() != '[' || t.back() != ']') throw Error(where + ": expected a list in [brackets]");
    auto items = splitList(t.substr(1, t.size() - 2));
    for (const auto& i : items)
        if (i.empty()) throw Error(where + ": empty item in list");
    return items;
}

// An integer field within [lo, hi] (or `fallback` when absent). JSON numbers may be fractional or far
// beyond 64 bits; converting those to an integer type is undefined behaviour, so they are refused here.
int64_t integerField(const nlohmann::json& j, const char* key, int64_t lo, int64_t hi, int64_t fallback) {
    if (!j.contains(key)) return fallback;
    const auto& v = j.at(key);
    if (v.is_number_unsigned() && v.get<uint64_t>() <= static_cast<uint64_t>(hi)) return static_cast<int64_t>(v.get<uint64_t>());
    if (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() >= lo && v.get<int64_t>() <= hi)
        return v.get<int64_t>();
    throw Error(fmt::format("operator JSON: \"{}\" must be a whole number in [{}, {}], not {}", key, lo, hi,
                            v.dump().substr(0, 40)));
}

Listing listingFromJson(const nlohmann::json& j) {
    if (!j.is_object() || j.value("format", "") != kHeader)
        throw Error("not a syno operator (JSON without \"format\": \"syno-operator\")");
    const int64_t version = integerField(j, "version", 0, 1000000, 0);
    if (version != kVersion)
        throw Error(fmt::format("syno operator JSON version {} is not supported (this syno reads {})", version, kVersion));
    Listing l;
    std::vector<Variable> vars;
    for (const auto& v : j.at("variables")) {
        Variable var;
        var.name = v.at("name").get<std::string>();
        std::string kind = v.at("kind").get<std::string>();
        if (kind != "primary" && kind != "coefficient") throw Error(fmt::format("variable kind '{}' is unknown", kind));
        var.kind = kind == "primary" ? VarKind::Primary : VarKind::Coefficient;
        var.maxOccurrences = static_cast<int>(integerField(v, "max_occurrences", 0, 64, 3));
        if (v.contains("value")) var.value = integerField(v, "value", 1, std::numeric_limits<int64_t>::max(), 1);
        vars.push_back(var);
    }
    l.vars = VariableTable(vars);
    l.output = j.at("output").get<std::vector<std::string>>();
    for (const auto& s : j.at("statements"))
        l.statements.push_back({s.at("define").get<std::vector<std::string>>(), s.at("op").get<std::string>(),
                                s.at("args").get<std::vector<std::string>>()});
    l.input = j.at("input").get<std::vector<std::string>>();
    l.weights = j.at("weights").get<std::vector<std::vector<std::string>>>();
    l.expand = j.at("expand").get<std::vector<std::string>>();
    return l;
}

}  // namespace

std::string printOperator(const Operator& op) {
    Listing l = toListing(op);
    std::string out = fmt::format("{} {}\n", kHeader, kVersion);
    std::string primary = specsText(l.vars, VarKind::Primary), coef = specsText(l.vars, VarKind::Coefficient);
    if (!primary.empty()) out += "primary " + primary + "\n";
    if (!coef.empty()) out += "coefficients " + coef + "\n";
    out += "output " + joinNames(l.output) + "\n";
    for (const auto& st : l.statements) {
        std::string names;
        for (size_t i = 0; i < st.names.size(); ++i) names += (i ? ", " : "") + st.names[i];
        std::string args;
        for (size_t i = 0; i < st.args.size(); ++i) args += (i ? ", " : "") + st.args[i];
        out += fmt::format("{} = {}({})\n", names, st.op, args);
    }
    out += "input " + joinNames(l.input) + "\n";
    for (const auto& w : l.weights) out += "weight " + joinNames(w) + "\n";
    if (!l.expand.empty()) out += "expand " + joinNames(l.expand) + "\n";
    return out;
}

Operator parseOperator(const std::string& text, const VariableTable* fallback, std::shared_ptr<DimStore> store) {
    Listing l;
    std::vector<Variable> declared;
    bool haveHeader = false, haveVars = false, haveOutput = false, haveInput = false;
    std::istringstream in(text);
    std::string raw;
    int lineNo = 0;
    try {
        while (std::getline(in, raw)) {
            ++lineNo;
            std::string line = trim(raw.substr(0, raw.find('#')));
            if (line.empty()) continue;
            auto where = fmt::format("operator text line {}", lineNo);
            auto space = line.find_first_of(" \t");
            std::string head = line.substr(0, space);
            std::string rest = space == std::string::npos ? "" : trim(line.substr(space));
            if (!haveHeader) {
                if (head != kHeader)
                    throw Error(fmt::format("{}: not a syno operator (expected '{} {}' first)", where, kHeader, kVersion));
                if (rest != std::to_string(kVersion))
                    throw Error(fmt::format("{}: version '{}' is not supported (this syno reads {})", where, rest, kVersion));
                haveHeader = true;
                continue;
            }
            try {
                if (head == "primary" || head == "coefficients") {
                    if (haveOutput) throw Error("variables must be declared before the output");
                    auto specs = parseSpecs(rest, head == "primary" ? VarKind::Primary : VarKind::Coefficient);
                    declared.insert(declared.end(), specs.begin(), specs.end());
                    haveVars = true;
                } else if (head == "output") {
                    if (haveOutput) throw Error("output given twice");
                    haveOutput = true;
                    if (haveVars) l.vars = VariableTable(declared);
                    else if (fallback) l.vars = *fallback;
                    else throw Error("no variables declared before the output ('primary ...' / 'coefficients ...')");
                    for (const auto& d : parseShape(rest, l.vars)) l.output.push_back(d.size.toString(l.vars));
                } else if (head == "input") {
                    if (haveInput) throw Error("input given twice");
                    haveInput = true;
                    l.input = bracketList(rest, "input");
                } else if (head == "weight") {
                    l.weights.push_back(bracketList(rest, "weight"));
                } else if (head == "expand") {
                    l.expand = bracketList(rest, "expand");
                } else {
                    auto eq = line.find('=');
                    auto open = line.find('(');
                    if (eq == std::string::npos || open == std::string::npos || open < eq || line.back() != ')')
                        throw Error("expected 'NAME = primitive(args)', 'input [...]', 'weight [...]' or 'expand [...]'");
                    Statement st;
                    st.names = splitList(line.substr(0, eq));
                    for (const auto& n : st.names)
                        if (n.empty() || n.find_first_of(" \t") != std::string::npos)
                            throw Error(fmt::format("bad dimension name '{}'", n));
                    st.op = trim(line.substr(eq + 1, open - eq - 1));
                    st.args = splitList(line.substr(open + 1, line.size() - open - 2));
                    st.line = lineNo;
                    l.statements.push_back(std::move(st));
                }
            } catch (const Error& e) {
                throw Error(fmt::format("{}: {}", where, e.message()));
            }
        }
        if (!haveHeader) throw Error("empty operator text");
        if (!haveOutput) throw Error("operator text has no 'output' line");
        if (!haveInput) throw Error("operator text has no 'input' line");
        return fromListing(l, std::move(store));
    } catch (const nlohmann::json::exception& e) {
        throw Error(fmt::format("operator text: {}", e.what()));
    }
}

std::string operatorToJson(const Operator& op, int indent) {
    Listing l = toListing(op);
    nlohmann::ordered_json j;
    j["format"] = kHeader;
    j["version"] = kVersion;
    j["id"] = op.idHex();
    auto vars = nlohmann::ordered_json::array();
    for (const auto& v : l.vars.all()) {
        nlohmann::ordered_json jv;
        jv["name"] = v.name;
        jv["kind"] = v.kind == VarKind::Primary ? "primary" : "coefficient";
        if (v.value) jv["value"] = *v.value;
        jv["max_occurrences"] = v.maxOccurrences;
        vars.push_back(jv);
    }
    j["variables"] = vars;
    j["output"] = l.output;
    auto statements = nlohmann::ordered_json::array();
    for (const auto& st : l.statements) {
        nlohmann::ordered_json js;
        js["define"] = st.names;
        js["op"] = st.op;
        js["args"] = st.args;
        statements.push_back(js);
    }
    j["statements"] = statements;
    j["input"] = l.input;
    j["weights"] = l.weights;
    j["expand"] = l.expand;
    return j.dump(indent);
}

Operator operatorFromJson(const std::string& json, std::shared_ptr<DimStore> store) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(json);
        Listing l = listingFromJson(j);
        Operator op = fromListing(l, std::move(store));
        if (j.contains("id") && j["id"].get<std::string>() != op.idHex())
            throw Error(fmt::format("operator JSON says id {} but its contents have id {}", j["id"].get<std::string>(),
                                    op.idHex()));
        return op;
    } catch (const nlohmann::json::exception& e) {
        throw Error(fmt::format("operator JSON: {}", e.what()));
    }
}

Operator loadOperatorFile(const std::string& path, const VariableTable* fallback) {
    const std::string text = readInputFile(path, "operator file", size_t{16} << 20);
    try {
        auto first = text.find_first_not_of(" \t\r\n");
        if (first != std::string::npos && text[first] == '{') return operatorFromJson(text);
        return parseOperator(text, fallback);
    } catch (const Error& e) {
        throw Error(fmt::format("{}: {}", path, e.message()));
    }
}

}  // namespace syno
