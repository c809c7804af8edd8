package dev.cairn.spark;

import dev.cairn.CairnException;
import dev.cairn.Device;
import dev.cairn.tensor.Devices;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the device a task scores on from the {@code device} setting and the GPU Spark assigned to
 * the task ({@code spark.task.resource.gpu.amount}, seen through {@link TaskContext#resources()}):
 * <ul>
 *   <li>{@code cpu}: the CPU;</li>
 *   <li>{@code cuda}: the task's GPU (GPU 0 when Spark assigned none); a machine where CUDA cannot
 *       run fails the task saying why;</li>
 *   <li>{@code auto}: the task's GPU when CUDA can run here, else the CPU. In local mode, where Spark
 *       assigns no GPUs, GPU 0 when CUDA can run. On a cluster executor without an assigned GPU, the
 *       CPU (a GPU Spark did not assign may belong to another executor).</li>
 * </ul>
 * The choice and its reason are logged once per JVM. Thread-safe.
 */
final class DeviceChoice {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceChoice.class);
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private DeviceChoice() {
    }

    /** Checks a {@code device} setting: {@code auto}, {@code cpu} or {@code cuda}. */
    static String validate(String setting) {
        String s = setting == null ? "" : setting.trim().toLowerCase(Locale.ROOT);
        if (!s.equals("auto") && !s.equals("cpu") && !s.equals("cuda")) {
            throw new IllegalArgumentException("device must be auto, cpu or cuda, got '" + setting
                    + "' (with cuda, each task uses the GPU Spark assigned to it)");
        }
        return s;
    }

    /** The device for the current task (or the driver, outside a task). */
    static Device choose(String setting) {
        String s = validate(setting);
        String gpu = assignedGpu();
        Device d;
        String why;
        switch (s) {
            case "cpu" -> {
                d = Device.cpu();
                why = "device=cpu";
            }
            case "cuda" -> {
                d = Device.cuda(gpu == null ? 0 : parseIndex(gpu));
                why = gpu == null ? "device=cuda, no GPU assigned by Spark: GPU 0" : "device=cuda, Spark assigned GPU " + gpu;
            }
            default -> {
                boolean local = isLocal();
                if (gpu == null && !local) {
                    d = Device.cpu();
                    why = "device=auto and Spark assigned no GPU to this executor's tasks (set spark.executor.resource.gpu.amount"
                            + " and spark.task.resource.gpu.amount to use one)";
                } else if (Devices.auto().isCuda()) {
                    d = Device.cuda(gpu == null ? 0 : parseIndex(gpu));
                    why = gpu == null ? "device=auto in local mode and CUDA can run: GPU 0" : "device=auto, Spark assigned GPU " + gpu;
                } else {
                    d = Device.cpu();
                    why = "device=auto" + (gpu == null ? "" : " and Spark assigned GPU " + gpu)
                            + " but the CUDA backend cannot run here (see the Cairn log line above for why)";
                }
            }
        }
        String executor = SparkEnv.get() == null ? "?" : SparkEnv.get().executorId();
        if (LOGGED.add(d + "|" + why)) {
            LOG.info("Cairn: executor {} scores on {} ({})", executor, d, why);
        }
        return d;
    }

    private static String assignedGpu() {
        TaskContext tc = TaskContext.get();
        if (tc == null) {
            return null;
        }
        ResourceInformation r = tc.resourcesJMap().get("gpu");
        return r == null || r.addresses().length == 0 ? null : r.addresses()[0];
    }

    private static boolean isLocal() {
        SparkEnv env = SparkEnv.get();
        return env == null || "driver".equals(env.executorId());
    }

    private static int parseIndex(String address) {
        try {
            return Integer.parseInt(address.trim());
        } catch (NumberFormatException e) {
            throw new CairnException("Spark assigned GPU address '" + address + "', which is not a CUDA device index;"
                    + " the GPU discovery script must print the CUDA indices (as nvidia-smi does)");
        }
    }
}
