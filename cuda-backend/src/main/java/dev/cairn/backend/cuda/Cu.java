package dev.cairn.backend.cuda;

import dev.cairn.DeviceException;
import jcuda.driver.CUresult;
import jcuda.jcublas.cublasStatus;

/** Checks of driver-API and cuBLAS result codes, turned into Cairn exceptions that name the call. */
final class Cu {
    private Cu() {
    }

    /** Throws a {@link DeviceException} naming {@code what} and the CUDA error when {@code result} is not success. */
    static void check(int result, String what) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new DeviceException("CUDA error in " + what + ": " + CUresult.stringFor(result) + " (" + result + ")"
                    + (result == CUresult.CUDA_ERROR_ILLEGAL_ADDRESS || result == CUresult.CUDA_ERROR_LAUNCH_FAILED
                    ? "; the CUDA context is now unusable, restart the process" : ""));
        }
    }

    /** As {@link #check} for cuBLAS status codes. */
    static void checkBlas(int status, String what) {
        if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
            throw new DeviceException("cuBLAS error in " + what + ": " + cublasStatus.stringFor(status));
        }
    }
}
