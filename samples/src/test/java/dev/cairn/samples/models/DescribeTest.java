package dev.cairn.samples.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each model prints exactly what PyTorch 1.13's print(model) printed (scripts/describe_models.py). */
class DescribeTest {
    private static Map<String, String> pytorch() throws IOException {
        try (InputStream in = DescribeTest.class.getResourceAsStream("/describe/pytorch.txt")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> out = new LinkedHashMap<>();
            for (String block : text.split("(?m)^== ")) {
                if (!block.isBlank()) {
                    int nl = block.indexOf('\n');
                    out.put(block.substring(0, nl).trim(), block.substring(nl + 1).stripTrailing());
                }
            }
            return out;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "mysequential", "fixed_hidden_mlp", "nest_mlp", "chimera", "tied", "centered", "mylinear"})
    void structureMatchesPyTorchPrint(String name) throws IOException {
        assertEquals(pytorch().get(name), Models.get(name).create().toString());
    }
}
