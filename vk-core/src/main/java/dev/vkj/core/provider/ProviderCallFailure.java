package dev.vkj.core.provider;

import dev.vkj.spi.ProviderException;

/**
 * A failed call of an SPI method that cannot throw {@link ProviderException} (such as {@code
 * describeNode}): the boundary reports its timeout or error unchecked, with the code kept.
 */
public final class ProviderCallFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ProviderCallFailure(ProviderException cause) {
    super(cause.getMessage(), cause);
  }

  @Override
  public synchronized ProviderException getCause() {
    return (ProviderException) super.getCause();
  }
}
