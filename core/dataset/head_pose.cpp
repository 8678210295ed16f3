#include "core/dataset/head_pose.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include <opencv2/calib3d.hpp>
#include <opencv2/core.hpp>

#include "core/camera/orbit_camera.h"
#include "core/head/lbs.h"

namespace synthforge::dataset {

const std::vector<int>& headPoseLandmarks() {
    static const std::vector<int> k{17, 19, 21, 22, 24, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47};
    return k;
}

void setOrbitAngles(HeadPose& pose) {
    // The camera centre in FLAME, then in generator world; the orbit angles
    // of the direction from the world origin (orbit_camera.h):
    // x = sin(phi) sin(yaw), z = sin(phi) cos(yaw), y = -2 pitch / pi.
    const Eigen::Vector3d c = -pose.rotation.transpose() * pose.translation;
    const Eigen::Vector3f world = camera::flameToWorld(c.cast<float>());
    const Eigen::Vector3d d = world.cast<double>().normalized();
    pose.yaw = std::atan2(d.x(), d.z());
    pose.pitch = -0.5 * 3.14159265358979323846 * d.y();
}

std::vector<Eigen::Vector3f> restLandmarks(const head::HeadModel& model) {
    if (model.landmarks.count() != head::kNumLandmarks)
        throw std::invalid_argument("head pose: the head model has no 68-landmark embedding");
    const head::RowMatX3f lm = head::placeLandmarks(model, model.vTemplate, 0);  // bin 0: frontal contour
    std::vector<Eigen::Vector3f> out;
    for (Eigen::Index k = 0; k < lm.rows(); ++k) out.emplace_back(lm.row(k).transpose());
    return out;
}

HeadPose estimateHeadPose(const Eigen::Matrix<float, Eigen::Dynamic, 2, Eigen::RowMajor>& landmarks,
                          const std::vector<Eigen::Vector3f>& model, double focal, double cx, double cy) {
    if (landmarks.rows() != head::kNumLandmarks || model.size() != static_cast<std::size_t>(head::kNumLandmarks))
        throw std::invalid_argument("head pose: expected 68 landmarks, got " + std::to_string(landmarks.rows()) +
                                    " points and " + std::to_string(model.size()) + " model points");
    if (!(focal > 0.0) || !std::isfinite(cx) || !std::isfinite(cy))
        throw std::invalid_argument("head pose: the focal length must be positive and the centre finite");
    std::vector<cv::Point3d> object;
    std::vector<cv::Point2d> image;
    for (int k : headPoseLandmarks()) {
        const float u = landmarks(k, 0), v = landmarks(k, 1);
        if (!std::isfinite(u) || !std::isfinite(v)) continue;
        const Eigen::Vector3f& p = model[static_cast<std::size_t>(k)];
        object.emplace_back(p.x(), p.y(), p.z());
        image.emplace_back(u, v);
    }
    if (object.size() < 6)
        throw std::invalid_argument("head pose: " + std::to_string(object.size()) +
                                    " usable landmarks, at least 6 of the nose and eye corners are needed");
    // FLAME's y is up and the camera's down; OpenCV finds the rotation.
    const cv::Matx33d k(focal, 0, cx, 0, focal, cy, 0, 0, 1);
    cv::Mat rvec, tvec;
    // EPnP gives a start without a guess; Levenberg-Marquardt refines it.
    if (!cv::solvePnP(object, image, k, cv::noArray(), rvec, tvec, false, cv::SOLVEPNP_EPNP) ||
        !cv::solvePnP(object, image, k, cv::noArray(), rvec, tvec, true, cv::SOLVEPNP_ITERATIVE))
        throw std::invalid_argument("head pose: the fit failed");
    cv::Mat r;
    cv::Rodrigues(rvec, r);
    HeadPose out;
    for (int i = 0; i < 3; ++i) {
        out.translation[i] = tvec.at<double>(i);
        for (int j = 0; j < 3; ++j) out.rotation(i, j) = r.at<double>(i, j);
    }
    std::vector<cv::Point2d> projected;
    cv::projectPoints(object, rvec, tvec, k, cv::noArray(), projected);
    double sq = 0;
    for (std::size_t i = 0; i < image.size(); ++i) {
        const cv::Point2d d = projected[i] - image[i];
        sq += d.dot(d);
    }
    out.rmsPixels = std::sqrt(sq / static_cast<double>(image.size()));
    setOrbitAngles(out);
    return out;
}

}  // namespace synthforge::dataset
