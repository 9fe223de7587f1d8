package io.junoscommander.support.input;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.TYPE_USE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.ReportAsSingleViolation;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * One CLI command as a device receives it: a single line of at most 1024 characters with something visible in it. No
 * control characters (a tab, Ctrl-C, a line break would be keystrokes to the device's shell, not part of a command) and
 * not only spaces. Shared by the device service's commands and the task service's tasks.
 */
@NotNull
@Size(max = 1024)
@Pattern(regexp = "[^\\p{Cntrl}]*[^\\p{Cntrl}\\p{Z}\\s][^\\p{Cntrl}]*")
@ReportAsSingleViolation
@Constraint(validatedBy = {})
@Documented
@Target({TYPE_USE, FIELD, PARAMETER})
@Retention(RUNTIME)
public @interface CliCommand {

    String message() default "one line of at most 1024 printable characters, not blank";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
