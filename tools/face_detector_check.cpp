// How often an off-the-shelf face detector (OpenCV's Haar cascades from
// Debian's opencv-data) finds a face in a generated dataset, and whether its
// box agrees with the annotated face box. A measurement for docs/generator.md,
// not a test: the cascades are not part of the build's dependencies.
// Build: g++ -O2 -std=c++17 -I/usr/include/opencv4 tools/face_detector_check.cpp \
//          -o /tmp/face_detector_check $(pkg-config --libs opencv4)
// Run:   /tmp/face_detector_check DATASET_DIR COUNT   (needs: apt-get install opencv-data)
// With dlib's HOG + linear SVM frontal detector as well (a stronger
// detector than Haar, its model compiled into the library; Debian's
// libdlib-dev), add -DSYNTHFORGE_DLIB and $(pkg-config --libs dlib-1).
#include <opencv2/objdetect.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <nlohmann/json.hpp>
#include <fstream>
#include <cstdio>
#include <cmath>
#include <string>
#include <vector>
#ifdef SYNTHFORGE_DLIB
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/opencv/cv_image.h>
#endif
int main(int argc, char** argv){
  if (argc < 3) { std::fprintf(stderr, "usage: %s DATASET_DIR COUNT\n", argv[0]); return 2; }
  std::string dir = argv[1]; int n = atoi(argv[2]);
  cv::CascadeClassifier frontal("/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml");
  cv::CascadeClassifier profile("/usr/share/opencv4/haarcascades/haarcascade_profileface.xml");
  if (frontal.empty() || profile.empty()) { std::fprintf(stderr, "Haar cascades missing: apt-get install opencv-data\n"); return 1; }
  int found=0, nearFrontal=0, foundNear=0, boxHit=0;
#ifdef SYNTHFORGE_DLIB
  dlib::frontal_face_detector hog = dlib::get_frontal_face_detector();
  int hogFound=0, hogNear=0, hogBox=0;
#endif
  for (int i=0;i<n;++i){
    char name[64]; std::snprintf(name, sizeof name, "%06d", i);
    cv::Mat im = cv::imread(dir+"/images/"+name+".png"), g; cv::cvtColor(im,g,cv::COLOR_BGR2GRAY); cv::equalizeHist(g,g);
    auto a = nlohmann::json::parse(std::ifstream(dir+"/annotations/"+name+".json"));
    float yaw = a["yaw"], pitch = a["pitch"];
    std::vector<cv::Rect> f, p, pf; frontal.detectMultiScale(g, f, 1.1, 3, 0, cv::Size(60,60));
    profile.detectMultiScale(g, p, 1.1, 3, 0, cv::Size(60,60)); cv::Mat fl; cv::flip(g, fl, 1); profile.detectMultiScale(fl, pf, 1.1, 3, 0, cv::Size(60,60));
    bool any = !f.empty() || !p.empty() || !pf.empty();
    found += any;
    bool nf = std::abs(yaw) < 0.35 && std::abs(pitch) < 0.35; nearFrontal += nf; if (nf && !f.empty()) foundNear++;
    // does a frontal detection overlap the annotated face box?
    auto fb = a["face_box"]; cv::Rect2f box(fb[0], fb[1], (float)fb[2]-(float)fb[0], (float)fb[3]-(float)fb[1]);
    for (auto& r : f) { cv::Rect2f rf(r); float iou = (rf & box).area() / (rf | box).area(); if (iou > 0.3) { boxHit++; break; } }
#ifdef SYNTHFORGE_DLIB
    cv::Mat gray; cv::cvtColor(im, gray, cv::COLOR_BGR2GRAY);
    const std::vector<dlib::rectangle> hf = hog(dlib::cv_image<unsigned char>(gray));
    hogFound += !hf.empty(); if (nf && !hf.empty()) hogNear++;
    for (auto& r : hf) { cv::Rect2f rf(r.left(), r.top(), r.width(), r.height()); float iou = (rf & box).area() / (rf | box).area(); if (iou > 0.3) { hogBox++; break; } }
#endif
  }
  std::printf("%d images: any detector %d (%.0f%%); near-frontal (|yaw|,|pitch|<0.35) %d, frontal cascade found %d (%.0f%%); frontal detections overlapping the face box (IoU>0.3): %d\n", n, found, 100.0*found/n, nearFrontal, foundNear, 100.0*foundNear/std::max(1,nearFrontal), boxHit);
#ifdef SYNTHFORGE_DLIB
  std::printf("dlib HOG: found %d (%.0f%%); near-frontal found %d (%.0f%%); boxes with IoU>0.3: %d\n", hogFound, 100.0*hogFound/n, hogNear, 100.0*hogNear/std::max(1,nearFrontal), hogBox);
#endif
}
