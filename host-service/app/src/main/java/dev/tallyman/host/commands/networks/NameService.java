package dev.tallyman.host.commands.networks;

import dev.tallyman.host.projections.NetworkView;

/**
 * Name resolution for user networks: told when a network comes and goes, so a resolver can listen on its
 * gateway. Names themselves are looked up in the projection when a query arrives, so joins and leaves need no call.
 */
public interface NameService {

    NameService NONE = new NameService() {
        @Override
        public void networkUp(NetworkView network) {
        }

        @Override
        public void networkDown(NetworkView network) {
        }
    };

    void networkUp(NetworkView network);

    void networkDown(NetworkView network);
}
