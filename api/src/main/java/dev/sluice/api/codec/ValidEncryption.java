package dev.sluice.api.codec;

import dev.sluice.worker.TemporalSettings;
import dev.sluice.worker.encryption.PayloadEncryption;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;

/**
 * {@code temporal.encryption} is well formed: key ids, each key given one way, an {@code
 * encryptWith} among them. Checked without reading a key, as any configuration is; {@link
 * SluiceCheckCommand} and the server's start read the keys themselves.
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = ValidEncryption.Validator.class)
public @interface ValidEncryption {

  String message() default "is not a usable encryption setting";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** Reports each problem {@link PayloadEncryption#shapeProblems} finds. */
  class Validator implements ConstraintValidator<ValidEncryption, TemporalSettings> {
    @Override
    public boolean isValid(TemporalSettings settings, ConstraintValidatorContext context) {
      if (settings == null) {
        return true;
      }
      List<String> problems = PayloadEncryption.shapeProblems(settings.getEncryption());
      if (problems.isEmpty()) {
        return true;
      }
      context.disableDefaultConstraintViolation();
      for (String problem : problems) {
        // Reported at temporal.encryption already; the message is a template, so braces,
        // dollars and backslashes are made literal.
        String message = problem.replaceFirst("^temporal\\.encryption[ .]", "");
        context
            .buildConstraintViolationWithTemplate(message.replaceAll("([{}$\\\\])", "\\\\$1"))
            .addPropertyNode("encryption")
            .addConstraintViolation();
      }
      return false;
    }
  }
}
