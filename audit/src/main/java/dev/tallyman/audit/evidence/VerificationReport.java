package dev.tallyman.audit.evidence;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code GET /tallyman/v1/verify} and of the offline {@link VerifyCommand}, one shape for both:
 * {@code {intact, eventsChecked, checkpointsChecked, head, from, problems: [{kind, position, detail}]}}.
 */
public final class VerificationReport {
    private VerificationReport() {
    }

    public static Map<String, Object> of(Verification verification) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("intact", verification.intact());
        body.put("eventsChecked", verification.eventsChecked());
        body.put("checkpointsChecked", verification.checkpointsChecked());
        body.put("head", verification.head());
        body.put("from", verification.from());
        List<Map<String, Object>> problems = verification.problems().stream().map(p -> {
            Map<String, Object> problem = new LinkedHashMap<>();
            problem.put("kind", p.kind().wireName());
            problem.put("position", p.position());
            problem.put("detail", p.detail());
            return problem;
        }).toList();
        body.put("problems", problems);
        return body;
    }
}
