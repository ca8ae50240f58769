package dev.tallyman.host.api;

import dev.tallyman.audit.evidence.EvidenceVerifier;
import dev.tallyman.audit.evidence.JdbcCheckpointStore;
import dev.tallyman.audit.evidence.Verification;
import dev.tallyman.audit.evidence.VerificationReport;
import java.time.Clock;

/**
 * {@code GET /tallyman/v1/verify} (issue 11): the whole chain and every checkpoint, file and table, against the
 * public key; {@code {intact, eventsChecked, checkpointsChecked, head, from, problems: [{kind, position, detail}]}}.
 * Always 200: the answer is a report, and a broken record is what it reports, not a failed request.
 *
 * <p>A plain route for now: the /tallyman/v1 endpoints move to RESTEasy Reactive with the query API.
 */
public final class VerifyApi {
    private final EvidenceVerifier verifier;
    private final JdbcCheckpointStore table;
    private final Clock clock;

    public VerifyApi(EvidenceVerifier verifier, JdbcCheckpointStore table, Clock clock) {
        this.verifier = verifier;
        this.table = table;
        this.clock = clock;
    }

    public void register(ApiRouter router) {
        router.get("/tallyman/v1/verify", this::verify);
    }

    private void verify(ApiRequest request) {
        Verification result = verifier.all();
        if (result.intact()) {
            // the next boot starts from here
            table.markVerified(result.head(), clock.instant());
        }
        request.json(200, VerificationReport.of(result));
    }
}
