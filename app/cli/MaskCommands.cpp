#include "cli/Commands.h"
#include "io/ImageIO.h"
#include "mask/CocoRle.h"
#include "mask/MaskMetrics.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

namespace samtok::cli {

void addMaskCommands(CLI::App& app) {
    CLI::App* mask = app.add_subcommand("mask", "Work with mask files");
    mask->require_subcommand(1);

    struct Options {
        std::string a, b;
        int threshold = 127;
        bool uncompressed = false;
    };
    auto o = std::make_shared<Options>();

    CLI::App* rleCmd = mask->add_subcommand("rle", "Print a mask PNG as COCO RLE JSON (pycocotools-identical)");
    rleCmd->add_option("PNG", o->a, "Mask file (0/255, palette, or ids)")->required();
    rleCmd->add_option("--threshold", o->threshold, "Foreground where the stored value is above this (default 127)");
    rleCmd->add_flag("--uncompressed", o->uncompressed, "Also print the uncompressed runs");
    rleCmd->callback([o] {
        const Rle r = rle::encode(readMask(o->a, o->threshold));
        const PixelBox b = rle::toBbox(r);
        nlohmann::json j{{"size", {r.height, r.width}},
                         {"counts", rle::toString(r)},
                         {"area", rle::area(r)},
                         {"bbox", {b.x, b.y, b.width, b.height}}};
        if (o->uncompressed) j["runs"] = r.counts;
        std::cout << j.dump() << "\n";
    });

    CLI::App* iouCmd = mask->add_subcommand("iou", "IoU and boundary IoU of two masks of one size");
    iouCmd->add_option("A", o->a, "First mask file")->required();
    iouCmd->add_option("B", o->b, "Second mask file")->required();
    iouCmd->add_option("--threshold", o->threshold, "Foreground where the stored value is above this (default 127)");
    iouCmd->callback([o] {
        const Mask a = readMask(o->a, o->threshold);
        const Mask b = readMask(o->b, o->threshold);
        nlohmann::json j{
            {"iou", maskIou(a, b)}, {"boundary_iou", boundaryIou(a, b)}, {"area_a", a.area()}, {"area_b", b.area()}};
        std::cout << j.dump() << "\n";
    });
}

}  // namespace samtok::cli
