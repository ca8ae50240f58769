package dev.tallyman.images.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 7235): a scheme and its parameters. Registries
 * send {@code Basic realm="..."} or {@code Bearer realm="...",service="...",scope="..."}, and with a refused
 * token {@code error="insufficient_scope"} (RFC 6750).
 *
 * @param scheme     lower case: {@code basic}, {@code bearer}, or whatever else a server sent
 * @param parameters parameter names in lower case, values unquoted
 */
public record AuthChallenge(String scheme, Map<String, String> parameters) {

    public AuthChallenge {
        scheme = scheme.toLowerCase(Locale.ROOT);
        parameters = Map.copyOf(parameters);
    }

    public boolean isBasic() {
        return scheme.equals("basic");
    }

    public boolean isBearer() {
        return scheme.equals("bearer");
    }

    public Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name));
    }

    /** Every challenge in the given header values, in order; unreadable parts are skipped, never fatal. */
    public static List<AuthChallenge> parseAll(List<String> headerValues) {
        List<AuthChallenge> all = new ArrayList<>();
        headerValues.forEach(v -> all.addAll(parse(v)));
        return List.copyOf(all);
    }

    /** The challenges of one header value. */
    public static List<AuthChallenge> parse(String header) {
        List<AuthChallenge> challenges = new ArrayList<>();
        Scanner in = new Scanner(header);
        String scheme = null;
        Map<String, String> params = new LinkedHashMap<>();
        while (true) {
            in.skip(", \t");
            if (in.atEnd()) {
                break;
            }
            String token = in.token();
            if (token.isEmpty()) {
                in.advance(); // a character no token may hold; skip it rather than loop
                continue;
            }
            in.skip(" \t");
            if (scheme != null && in.peek() == '=') {
                in.advance();
                in.skip(" \t");
                String value = in.peek() == '"' ? in.quoted() : in.token();
                params.putIfAbsent(token.toLowerCase(Locale.ROOT), value);
            } else {
                if (scheme != null) {
                    challenges.add(new AuthChallenge(scheme, params));
                }
                scheme = token;
                params = new LinkedHashMap<>();
            }
        }
        if (scheme != null) {
            challenges.add(new AuthChallenge(scheme, params));
        }
        return List.copyOf(challenges);
    }

    private static final class Scanner {
        private final String text;
        private int at;

        Scanner(String text) {
            this.text = text == null ? "" : text;
        }

        boolean atEnd() {
            return at >= text.length();
        }

        char peek() {
            return atEnd() ? '\0' : text.charAt(at);
        }

        void advance() {
            at++;
        }

        void skip(String chars) {
            while (!atEnd() && chars.indexOf(text.charAt(at)) >= 0) {
                at++;
            }
        }

        // RFC 7230 token characters; token68 padding '=' is left to the caller, which reads it as a separator.
        String token() {
            int start = at;
            while (!atEnd() && isTokenChar(text.charAt(at))) {
                at++;
            }
            return text.substring(start, at);
        }

        String quoted() {
            StringBuilder value = new StringBuilder();
            at++; // opening quote
            while (!atEnd()) {
                char c = text.charAt(at++);
                if (c == '\\' && !atEnd()) {
                    value.append(text.charAt(at++));
                } else if (c == '"') {
                    break;
                } else {
                    value.append(c);
                }
            }
            return value.toString();
        }

        private static boolean isTokenChar(char c) {
            return c > ' ' && c < 127 && "()<>@,;:\\\"/[]?={} \t".indexOf(c) < 0
                    || c == '/' || c == ':' ; // unquoted realms and scopes carry these; servers send them bare
        }
    }
}
