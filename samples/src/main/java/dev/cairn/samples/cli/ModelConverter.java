package dev.cairn.samples.cli;

import dev.cairn.samples.models.Models;
import dev.cairn.CairnException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Turns a {@code --model} value into a model spec; an unknown name is a usage error listing the known ones. */
public final class ModelConverter implements ITypeConverter<Models.Spec> {
    @Override
    public Models.Spec convert(String value) {
        try {
            return Models.get(value);
        } catch (CairnException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
