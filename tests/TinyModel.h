#pragma once
// The smallest network of the official layout: a few dozen training steps of it take seconds on a CPU.
#include <string>

namespace samtok::test {

inline std::string tinyConfigJson(const std::string& name, int imageSize) {
    return R"({
      "name": ")" +
           name + R"(", "image_size": )" + std::to_string(imageSize) + R"(,
      "image_encoder": {"embed_dim": 8, "num_heads": 1, "stages": [1, 1, 1, 1], "global_att_blocks": [2],
                        "window_spec": [8, 4, 4, 2], "window_pos_embed_bkg_spatial_size": [7, 7], "q_pool": 3,
                        "d_model": 16},
      "prompt_encoder": {"mask_in_chans": 8},
      "mask_decoder": {"depth": 1, "mlp_dim": 32, "num_heads": 2, "iou_head_depth": 3, "iou_head_hidden_dim": 16},
      "mask_encoder": {"depth": 1, "mlp_dim": 32, "num_heads": 2, "num_mask_tokens": 1},
      "quantizer": {"codebook_size": 16, "codebook_depth": 2, "latent_dim": 16}
    })";
}

}  // namespace samtok::test
