// How well `synthforge predict`'s cascade recovers the training framing:
// renders of a generated dataset, scaled about their centre and shifted,
// are predicted with and without the cascade and scored by NME against the
// moved ground truth. A measurement for docs/predict.md, not a test.
// Build: g++ -O2 -std=c++17 -I/usr/include/opencv4 tools/predict_convergence.cpp \
//          -o /tmp/predict_convergence $(pkg-config --libs opencv4)
// Run:   /tmp/predict_convergence make DATASET FIRST COUNT INPUT_DIR   (writes INPUT_DIR/truth.json)
//        synthforge predict --model RUN --images INPUT_DIR --out OUT --cascade K
//        /tmp/predict_convergence score INPUT_DIR/truth.json OUT
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

struct Move { double scale, dx, dy; std::string name; };

static std::vector<Move> moves() {
  std::vector<Move> m;
  for (double s : {0.7, 1.0, 1.4})
    for (double d : {-0.15, 0.0, 0.15})
      for (double e : {-0.15, 0.0, 0.15}) {
        char n[64]; std::snprintf(n, sizeof n, "s%.1f_x%+.2f_y%+.2f", s, d, e);
        m.push_back({s, d, e, n});
      }
  return m;
}

int main(int argc, char** argv) {
  if (argc == 6 && std::string(argv[1]) == "make") {
    const std::string ds = argv[2], out = argv[5];
    const int first = std::atoi(argv[3]), count = std::atoi(argv[4]);
    nlohmann::json truth = nlohmann::json::object();
    for (int i = first; i < first + count; ++i) {
      char stem[32]; std::snprintf(stem, sizeof stem, "%06d", i);
      const cv::Mat im = cv::imread(ds + "/images/" + stem + ".png");
      const auto a = nlohmann::json::parse(std::ifstream(ds + "/annotations/" + stem + ".json"));
      const double w = im.cols, h = im.rows;
      for (const Move& mv : moves()) {
        // q = s (p - c) + c + d W, continuous pixels; OpenCV indices: t' = t + s/2 - 1/2.
        const double tx = (1 - mv.scale) * w / 2 + mv.dx * w, ty = (1 - mv.scale) * h / 2 + mv.dy * h;
        const cv::Mat M = (cv::Mat_<double>(2, 3) << mv.scale, 0, tx + mv.scale / 2 - 0.5, 0, mv.scale, ty + mv.scale / 2 - 0.5);
        cv::Mat moved;
        cv::warpAffine(im, moved, M, im.size(), mv.scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR, cv::BORDER_CONSTANT);
        const std::string name = mv.name + "_" + stem;
        cv::imwrite(out + "/" + name + ".png", moved);
        nlohmann::json pts = nlohmann::json::array();
        for (const auto& p : a["2d_kps"]) pts.push_back({mv.scale * p[0].get<double>() + tx, mv.scale * p[1].get<double>() + ty});
        truth[name] = {{"move", mv.name}, {"landmarks", pts}};
      }
    }
    std::ofstream(out + "/truth.json") << truth.dump();
    return 0;
  }
  if (argc == 4 && std::string(argv[1]) == "score") {
    const auto truth = nlohmann::json::parse(std::ifstream(argv[2]));
    const std::string out = argv[3];
    const auto pred = nlohmann::json::parse(std::ifstream(out + "/predictions.json"));
    std::map<std::string, int> iterations;
    for (const auto& e : pred["images"]) iterations[e["name"]] = e.value("cascade_iterations", 0);
    std::map<std::string, std::vector<double>> nme, its;
    std::vector<double> all;
    for (const auto& [name, t] : truth.items()) {
      const auto p = nlohmann::json::parse(std::ifstream(out + "/" + name + "_landmarks.json"))["landmarks"];
      const auto& g = t["landmarks"];
      const double d = std::hypot(g[36][0].get<double>() - g[45][0].get<double>(), g[36][1].get<double>() - g[45][1].get<double>());
      double sum = 0;
      for (size_t k = 0; k < 68; ++k)
        sum += std::hypot(p[k][0].get<double>() - g[k][0].get<double>(), p[k][1].get<double>() - g[k][1].get<double>());
      const double v = sum / 68 / d;
      const std::string mv = t["move"];
      const std::string group = mv.substr(0, 4) + (mv.find("x+0.00_y+0.00") != std::string::npos ? " centred" : " shifted");
      nme[group].push_back(v);
      its[group].push_back(iterations[name]);
      all.push_back(v);
    }
    auto mean = [](const std::vector<double>& v) { double s = 0; for (double x : v) s += x; return s / v.size(); };
    std::printf("%-14s %6s %8s %10s\n", "inputs", "n", "NME", "re-crops");
    for (const auto& [g, v] : nme) std::printf("%-14s %6zu %8.4f %10.2f\n", g.c_str(), v.size(), mean(v), mean(its[g]));
    std::printf("%-14s %6zu %8.4f\n", "all", all.size(), mean(all));
    return 0;
  }
  std::fprintf(stderr, "usage: %s make DATASET FIRST COUNT INPUT_DIR | score TRUTH_JSON PRED_DIR\n", argv[0]);
  return 2;
}
