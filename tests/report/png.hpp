// Just enough PNG decoding to look at a browser's screenshot: 8-bit greyscale, RGB or RGBA, not
// interlaced (what Chromium writes), inflated with zlib. Returns RGB pixels, or an error.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace test_support {

struct Image {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::vector<std::uint8_t> rgb;  // width * height * 3
    std::string error;              // set when the file could not be decoded
    const std::uint8_t* at(std::uint32_t x, std::uint32_t y) const {
        return &rgb[(static_cast<std::size_t>(y) * width + x) * 3];
    }
};

inline Image read_png(const std::string& path) {
    Image img;
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    const std::string d = buf.str();
    if (d.size() < 8 || d.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return img.error = "not a PNG file", img;
    auto u32 = [&d](std::size_t at) {
        return (std::uint32_t(std::uint8_t(d[at])) << 24) | (std::uint32_t(std::uint8_t(d[at + 1])) << 16) |
               (std::uint32_t(std::uint8_t(d[at + 2])) << 8) | std::uint32_t(std::uint8_t(d[at + 3]));
    };
    int channels = 0;
    std::string idat;
    for (std::size_t i = 8; i + 12 <= d.size();) {
        const std::uint32_t len = u32(i);
        const std::string type = d.substr(i + 4, 4);
        if (i + 12 + len > d.size()) return img.error = "truncated chunk " + type, img;
        if (type == "IHDR") {
            img.width = u32(i + 8);
            img.height = u32(i + 12);
            const int depth = std::uint8_t(d[i + 16]), colour = std::uint8_t(d[i + 17]),
                      interlace = std::uint8_t(d[i + 20]);
            channels = colour == 0 ? 1 : colour == 2 ? 3 : colour == 4 ? 2 : colour == 6 ? 4 : 0;
            if (depth != 8 || channels == 0 || interlace != 0) return img.error = "unsupported PNG layout", img;
        } else if (type == "IDAT") {
            idat += d.substr(i + 8, len);
        }
        i += 12 + len;
    }
    if (channels == 0 || img.width == 0 || img.height == 0) return img.error = "no image header", img;
    const std::size_t stride = static_cast<std::size_t>(img.width) * channels;
    std::vector<std::uint8_t> raw((stride + 1) * img.height);
    uLongf raw_len = raw.size();
    if (uncompress(raw.data(), &raw_len, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) != Z_OK ||
        raw_len != raw.size()) {
        return img.error = "cannot inflate the image data", img;
    }
    // Undo the per-row filters (PNG spec, section 9) in place.
    std::vector<std::uint8_t> px(stride * img.height);
    for (std::uint32_t y = 0; y < img.height; ++y) {
        const std::uint8_t filter = raw[y * (stride + 1)];
        const std::uint8_t* src = &raw[y * (stride + 1) + 1];
        std::uint8_t* row = &px[y * stride];
        const std::uint8_t* up = y > 0 ? &px[(y - 1) * stride] : nullptr;
        for (std::size_t x = 0; x < stride; ++x) {
            const int a = x >= static_cast<std::size_t>(channels) ? row[x - channels] : 0;
            const int b = up ? up[x] : 0;
            const int c = up && x >= static_cast<std::size_t>(channels) ? up[x - channels] : 0;
            int pred = 0;
            switch (filter) {
                case 0:
                    pred = 0;
                    break;
                case 1:
                    pred = a;
                    break;
                case 2:
                    pred = b;
                    break;
                case 3:
                    pred = (a + b) / 2;
                    break;
                case 4: {
                    const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
                    pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                    break;
                }
                default:
                    return img.error = "bad row filter", img;
            }
            row[x] = static_cast<std::uint8_t>(src[x] + pred);
        }
    }
    img.rgb.resize(static_cast<std::size_t>(img.width) * img.height * 3);
    for (std::size_t i = 0, n = static_cast<std::size_t>(img.width) * img.height; i < n; ++i) {
        for (int k = 0; k < 3; ++k) img.rgb[i * 3 + k] = px[i * channels + (channels < 3 ? 0 : k)];
    }
    return img;
}

}  // namespace test_support
