#pragma once
// The trainers an MLLM export is written for.
#include <string>

namespace samtok::exporter {

enum class Target { SamTokJson, SamTokJsonl, LlamaFactory, Swift, Llava, InternVL };
const char* toString(Target t);
Target targetFromString(const std::string& s);  // throws UserError naming the choices

}  // namespace samtok::exporter
