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

/**
 * {@code temporal.encryption}'s keys can be read and are keys: checked with the configuration, so
 * {@code sluice check} reports a missing variable or a key of the wrong length by the key's id, and
 * the server refuses to start with one.
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = UsableEncryptionKeys.Validator.class)
public @interface UsableEncryptionKeys {

  String message() default "has an encryption key that cannot be used";

  Class<?>[] groups() default {};

  Class<? extends Payload>[] payload() default {};

  /** Loads the keys, and reports why they cannot be used. */
  class Validator implements ConstraintValidator<UsableEncryptionKeys, TemporalSettings> {
    @Override
    public boolean isValid(TemporalSettings settings, ConstraintValidatorContext context) {
      if (settings == null) {
        return true;
      }
      try {
        PayloadEncryption.load(settings.getEncryption());
        return true;
      } catch (IllegalArgumentException e) {
        context.disableDefaultConstraintViolation();
        // The message is a template: braces, dollars and backslashes in paths are literal here.
        context
            .buildConstraintViolationWithTemplate(
                e.getMessage().replaceAll("([{}$\\\\])", "\\\\$1"))
            .addPropertyNode("encryption")
            .addConstraintViolation();
        return false;
      }
    }
  }
}
