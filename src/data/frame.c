/* placeholder: being written */
typedef int lp_frame_placeholder_;
