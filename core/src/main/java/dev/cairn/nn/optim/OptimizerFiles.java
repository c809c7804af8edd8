package dev.cairn.nn.optim;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.cairn.io.SafeTensors;
import dev.cairn.io.SafeTensorsFile;
import dev.cairn.CairnException;
import dev.cairn.tensor.Tensor;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saves and loads an optimizer's state (and optionally its learning-rate scheduler's) as one
 * safetensors file, so that training resumes exactly where it stopped: the state tensors are stored
 * as {@code state.<parameter index>.<name>} (e.g. {@code state.0.exp_avg}) and a small JSON document
 * with the optimizer's class, hyper-parameters, per-parameter step counts and the scheduler's position
 * is stored in the file's metadata under {@code "cairn.optimizer"}. Parameter indices follow the
 * optimizer's parameter order ({@code model.parameters()}), as in PyTorch's optimizer state dict.
 * Save the model's weights separately ({@link dev.cairn.io.ModuleFiles}).
 */
public final class OptimizerFiles {
    /** The metadata key holding the JSON document. */
    public static final String METADATA_KEY = "cairn.optimizer";
    private static final JsonFactory JSON = new JsonFactory();

    private OptimizerFiles() {
    }

    /** Writes {@code optimizer}'s state to {@code file}, replacing it. */
    public static void save(Optimizer optimizer, Path file) {
        save(optimizer, null, file);
    }

    /** Writes {@code optimizer}'s state and {@code scheduler}'s position (may be null) to {@code file}. */
    public static void save(Optimizer optimizer, LRScheduler scheduler, Path file) {
        OptimizerState state = optimizer.stateDict();
        try {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            StringWriter text = new StringWriter();
            try (JsonGenerator g = JSON.createGenerator(text)) {
                g.writeStartObject();
                g.writeStringField("optimizer", state.optimizer());
                g.writeObjectFieldStart("hyper_parameters");
                for (Map.Entry<String, Object> e : state.hyperParameters().entrySet()) {
                    if (e.getValue() instanceof Boolean b) {
                        g.writeBooleanField(e.getKey(), b);
                    } else {
                        g.writeNumberField(e.getKey(), ((Number) e.getValue()).doubleValue());
                    }
                }
                g.writeEndObject();
                g.writeNumberField("parameters", state.params().size());
                g.writeObjectFieldStart("steps");
                for (int i = 0; i < state.params().size(); i++) {
                    OptimizerState.ParamState p = state.params().get(i);
                    if (p != null) {
                        g.writeNumberField(String.valueOf(i), p.step());
                        for (Map.Entry<String, Tensor> e : p.tensors().entrySet()) {
                            tensors.put("state." + i + "." + e.getKey(), e.getValue());
                        }
                    }
                }
                g.writeEndObject();
                if (scheduler != null) {
                    g.writeStringField("scheduler", scheduler.getClass().getSimpleName());
                    g.writeObjectFieldStart("scheduler_state");
                    for (Map.Entry<String, Double> e : scheduler.stateDict().entrySet()) {
                        g.writeNumberField(e.getKey(), e.getValue());
                    }
                    g.writeEndObject();
                }
                g.writeEndObject();
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("format", "cairn-optimizer");
            metadata.put(METADATA_KEY, text.toString());
            SafeTensors.write(file, tensors, metadata);
        } catch (IOException e) {
            throw new CairnException("cannot write the optimizer state to " + file + ": " + e.getMessage(), e);
        } finally {
            state.close();
        }
    }

    /** Reads a state written by {@link #save} into {@code optimizer}. */
    public static void load(Optimizer optimizer, Path file) {
        load(optimizer, null, file);
    }

    /**
     * Reads a state written by {@link #save} into {@code optimizer} (made over the same parameters with
     * the same settings) and, when {@code scheduler} is not null, the saved scheduler position into it.
     * Errors name the file and what does not match.
     */
    public static void load(Optimizer optimizer, LRScheduler scheduler, Path file) {
        SafeTensorsFile f = SafeTensors.readFile(file);
        try {
            String json = f.metadata().get(METADATA_KEY);
            if (json == null) {
                throw new CairnException("it is not an optimizer state (no '" + METADATA_KEY + "' metadata; a model's"
                        + " state dict is loaded with ModuleFiles.load)");
            }
            Parsed parsed = parse(json);
            List<OptimizerState.ParamState> params = new ArrayList<>();
            for (int i = 0; i < parsed.parameters; i++) {
                Long step = parsed.steps.get(String.valueOf(i));
                if (step == null) {
                    params.add(null);
                    continue;
                }
                String prefix = "state." + i + ".";
                Map<String, Tensor> t = new LinkedHashMap<>();
                for (Map.Entry<String, Tensor> e : f.tensors().entrySet()) {
                    if (e.getKey().startsWith(prefix)) {
                        t.put(e.getKey().substring(prefix.length()), e.getValue());
                    }
                }
                params.add(new OptimizerState.ParamState(step, t));
            }
            optimizer.loadStateDict(new OptimizerState(parsed.optimizer, parsed.hyper, params));
            if (scheduler != null) {
                if (parsed.scheduler == null) {
                    throw new CairnException("it holds no learning-rate scheduler state");
                }
                if (!parsed.scheduler.equals(scheduler.getClass().getSimpleName())) {
                    throw new CairnException("it holds the state of a " + parsed.scheduler + ", not of a "
                            + scheduler.getClass().getSimpleName());
                }
                scheduler.loadStateDict(parsed.schedulerState);
            }
        } catch (CairnException e) {
            throw new CairnException(file + ": " + e.getMessage(), e);
        } finally {
            f.tensors().values().forEach(Tensor::close);
        }
    }

    private static final class Parsed {
        String optimizer;
        Map<String, Object> hyper = new LinkedHashMap<>();
        int parameters = -1;
        Map<String, Long> steps = new HashMap<>();
        String scheduler;
        Map<String, Double> schedulerState = new LinkedHashMap<>();
    }

    private static Parsed parse(String json) {
        Parsed p = new Parsed();
        try (JsonParser r = JSON.createParser(json)) {
            expect(r.nextToken() == JsonToken.START_OBJECT, "the JSON document is not an object");
            while (r.nextToken() == JsonToken.FIELD_NAME) {
                String field = r.currentName();
                JsonToken t = r.nextToken();
                switch (field) {
                    case "optimizer" -> p.optimizer = r.getValueAsString();
                    case "scheduler" -> p.scheduler = r.getValueAsString();
                    case "parameters" -> p.parameters = r.getIntValue();
                    case "hyper_parameters", "steps", "scheduler_state" -> {
                        expect(t == JsonToken.START_OBJECT, "'" + field + "' is not an object");
                        while (r.nextToken() == JsonToken.FIELD_NAME) {
                            String k = r.currentName();
                            JsonToken v = r.nextToken();
                            if (field.equals("steps")) {
                                expect(v == JsonToken.VALUE_NUMBER_INT, "step count '" + k + "' is not an integer");
                                p.steps.put(k, r.getLongValue());
                            } else if (v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE) {
                                expect(field.equals("hyper_parameters"), "'" + k + "' is not a number");
                                p.hyper.put(k, v == JsonToken.VALUE_TRUE);
                            } else {
                                expect(v.isNumeric(), "'" + k + "' in '" + field + "' is not a number");
                                if (field.equals("hyper_parameters")) {
                                    p.hyper.put(k, r.getDoubleValue());
                                } else {
                                    p.schedulerState.put(k, r.getDoubleValue());
                                }
                            }
                        }
                    }
                    default -> r.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new CairnException("its optimizer metadata is not valid JSON: " + e.getMessage(), e);
        }
        expect(p.optimizer != null, "the optimizer metadata has no 'optimizer' class name");
        expect(p.parameters >= 0, "the optimizer metadata has no 'parameters' count");
        return p;
    }

    private static void expect(boolean ok, String message) {
        if (!ok) {
            throw new CairnException(message);
        }
    }
}
