package dev.tallyman.spi;

/**
 * The version of this SPI, {@code major.minor}, and the rule that decides whether the host runs a provider.
 *
 * <p>Compatibility rule: a provider built against SPI {@code a.b} runs on a host with SPI {@code c.d} when
 * {@code a == c} and {@code b <= d}. A minor release only adds (a new optional-ability interface, a record
 * component with a default, a new constant); a major release changes or removes something a driver calls or
 * implements. A provider from a newer minor may call what this host lacks, so it is refused too.
 *
 * <p>A provider reports the version it was compiled against by returning {@link #CURRENT} from its
 * {@code spiVersion()}: {@code CURRENT} is a compile-time constant, so javac copies its text into the
 * provider's own class file, and the host reads what the driver was built with, not its own value.
 */
public record SpiVersion(int major, int minor) {

    /** This SPI's version. 2.0: {@code spiVersion()} became text without a default (1 was an int with one). */
    public static final String CURRENT = "2.0";

    public SpiVersion {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("SPI version " + major + "." + minor + ": negative part");
        }
    }

    /** The version the host runs with. */
    public static SpiVersion host() {
        return parse(CURRENT);
    }

    /** Parses {@code major.minor}, naming the text when it is not such a version. */
    public static SpiVersion parse(String text) {
        if (text != null) {
            int dot = text.indexOf('.');
            if (dot > 0 && dot < text.length() - 1) {
                try {
                    return new SpiVersion(Integer.parseInt(text.substring(0, dot)), Integer.parseInt(text.substring(dot + 1)));
                } catch (IllegalArgumentException e) {
                    // falls through to the message naming the text
                }
            }
        }
        throw new IllegalArgumentException("invalid SPI version \"" + text + "\": want major.minor, e.g. " + CURRENT);
    }

    /** True when a provider built against {@code provider} may run on a host of this version. */
    public boolean runs(SpiVersion provider) {
        return provider.major == major && provider.minor <= minor;
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
