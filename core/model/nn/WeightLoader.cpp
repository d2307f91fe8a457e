#include "model/nn/WeightLoader.h"

#include "checkpoint/CheckpointError.h"

#include <map>
#include <sstream>

namespace samtok::model {

namespace {

std::string shapeText(const std::vector<int64_t>& s) {
    std::ostringstream o;
    o << "[";
    for (std::size_t i = 0; i < s.size(); ++i) o << (i ? ", " : "") << s[i];
    o << "]";
    return o.str();
}

void listSome(std::ostringstream& o, const char* what, const std::vector<std::string>& names) {
    if (names.empty()) return;
    o << "\n  " << names.size() << " " << what << ":";
    const std::size_t shown = std::min<std::size_t>(names.size(), 12);
    for (std::size_t i = 0; i < shown; ++i) o << "\n    " << names[i];
    if (names.size() > shown) o << "\n    ... and " << names.size() - shown << " more";
}

}  // namespace

std::string LoadReport::summary() const {
    std::ostringstream o;
    o << loaded << " tensors loaded";
    if (!ignored.empty()) o << ", " << ignored.size() << " unused by the tokenizer skipped";
    listSome(o, "missing from the file", missing);
    listSome(o, "unexpected in the file", unexpected);
    listSome(o, "with the wrong shape", misshapen);
    return o.str();
}

torch::Tensor toTensor(const checkpoint::StoredTensor& t) {
    using checkpoint::DType;
    const auto dtype = t.dtype == DType::Float32   ? torch::kFloat32
                       : t.dtype == DType::Float16 ? torch::kFloat16
                                                   : torch::kBFloat16;
    const auto numel = static_cast<int64_t>(t.storageBytes / checkpoint::elementSize(t.dtype));
    auto storage = torch::from_blob(const_cast<std::uint8_t*>(t.storage), {numel}, torch::TensorOptions().dtype(dtype));
    return storage.as_strided(t.sizes, t.strides, static_cast<int64_t>(t.offset)).to(torch::kFloat32).clone();
}

LoadReport loadWeights(torch::nn::Module& module, const checkpoint::Checkpoint& file, const LoadRules& rules) {
    LoadReport report;
    std::map<std::string, const checkpoint::StoredTensor*> available;
    for (const auto& [name, t] : file.tensors()) available[rules.addPrefix + name] = &t;

    std::vector<std::pair<torch::Tensor, const checkpoint::StoredTensor*>> plan;
    std::map<std::string, bool> used;
    auto visit = [&](const std::string& name, torch::Tensor& target) {
        auto it = available.find(name);
        if (it == available.end()) {
            if (!(rules.mayBeMissing && rules.mayBeMissing(name))) report.missing.push_back(name);
            return;
        }
        used[name] = true;
        if (it->second->sizes != target.sizes().vec()) {
            report.misshapen.push_back(name + ": file " + shapeText(it->second->sizes) + " vs model " +
                                       shapeText(target.sizes().vec()));
            return;
        }
        plan.emplace_back(target, it->second);
    };
    for (auto& p : module.named_parameters(true)) visit(p.key(), p.value());
    for (auto& b : module.named_buffers(true)) visit(b.key(), b.value());
    for (const auto& [name, t] : available) {
        if (used.count(name)) continue;
        if (rules.isIgnorable && rules.isIgnorable(name))
            report.ignored.push_back(name);
        else
            report.unexpected.push_back(name);
    }
    if (!report.missing.empty() || !report.unexpected.empty() || !report.misshapen.empty())
        throw checkpoint::CheckpointError("'" + file.path() + "' does not match the model: " + report.summary());

    torch::NoGradGuard noGrad;
    for (auto& [target, stored] : plan) target.copy_(toTensor(*stored));
    report.loaded = plan.size();
    return report;
}

}  // namespace samtok::model
