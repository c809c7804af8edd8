package com.example;

import dev.cairn.Device;
import dev.cairn.autograd.GradMode;
import dev.cairn.nn.Linear;
import dev.cairn.nn.Module;
import dev.cairn.nn.ReLU;
import dev.cairn.nn.Sequential;
import dev.cairn.tensor.Devices;
import dev.cairn.tensor.Tensor;
import java.util.Arrays;

public class Quickstart {
    public static void main(String[] args) {
        Device device = Devices.auto();  // a GPU when cairn-cuda-backend is present and usable, else the CPU
        Module net = new Sequential(new Linear(20, 256), new ReLU(), new Linear(256, 10)).to(device);
        System.out.println(net);

        Tensor x = Tensor.rand(2, 20).to(device);
        try (var noGrad = GradMode.noGrad()) {
            Tensor y = net.call(x);
            System.out.println("output " + Arrays.toString(y.shape()) + " on " + y.device());
            System.out.println(y);
        }
    }
}
