package io.junoscommander.support.input;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;

/**
 * JSON bodies mean what they say, in every service: a string field takes a JSON string (never a number or a boolean
 * turned into text), a number or boolean field never takes a string, and no string or object key holds a NUL character
 * (PostgreSQL cannot store it), and no document nests deeper than {@link #MAX_NESTING_DEPTH} arrays and objects (the parser
 * stops there, before building anything: a hostile body of thousands of open brackets costs nothing). Violations are 400
 * problem+json naming the field, through the problem mappers.
 */
@Singleton
public class StrictJsonCustomizer implements ObjectMapperCustomizer {

    /** Deepest nesting of arrays and objects in a JSON body (Jackson's own default is 1000). */
    public static final int MAX_NESTING_DEPTH = 64;

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build());
        SimpleModule strictText = new SimpleModule("junoscommander-strict-text");
        strictText.addDeserializer(String.class, new StrictStringDeserializer());
        strictText.addKeyDeserializer(String.class, new StrictKeyDeserializer());
        mapper.registerModule(strictText);
        for (LogicalType numeric : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            mapper.coercionConfigFor(numeric).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
    }

    /** A NUL in a JSON text: refused like a wrong type, with the field's path filled in by Jackson. */
    static boolean hasNul(String text) {
        return text.indexOf('\0') >= 0;
    }

    static final class StrictStringDeserializer extends StdScalarDeserializer<String> {

        StrictStringDeserializer() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.hasToken(JsonToken.VALUE_STRING)) {
                String text = parser.getText();
                if (hasNul(text)) {
                    throw InvalidFormatException.from(parser, NulCharacterGuard.MESSAGE, text, String.class);
                }
                return text;
            }
            return (String) context.handleUnexpectedToken(String.class, parser);
        }
    }

    static final class StrictKeyDeserializer extends KeyDeserializer {

        @Override
        public Object deserializeKey(String key, DeserializationContext context) throws IOException {
            if (hasNul(key)) {
                throw InvalidFormatException.from(context.getParser(), NulCharacterGuard.MESSAGE, key, String.class);
            }
            return key;
        }
    }
}
