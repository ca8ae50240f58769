package dev.tallyman.host.runtime;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A container that the starting one links to on the default bridge (docker run --link), and what Docker writes
 * for it into the linking container: one /etc/hosts line and a block of environment variables. The formats are
 * moby's (daemon/links/links.go and the sandbox's extra hosts), checked against the Docker peer.
 *
 * @param linkName     "/web/alias": the linking container's name, then the alias
 * @param ip           the linked container's address on the default bridge
 * @param hostname     the linked container's hostname (its short id unless -h was given)
 * @param name         the linked container's name, without the leading slash
 * @param env          the linked container's environment as created ("KEY=value")
 * @param exposedPorts the linked container's exposed ports, "5432/tcp"
 */
public record LinkedContainer(String linkName, String ip, String hostname, String name, List<String> env,
                              List<String> exposedPorts) {

    public LinkedContainer {
        env = List.copyOf(env);
        exposedPorts = List.copyOf(exposedPorts);
    }

    public String alias() {
        return linkName.substring(linkName.lastIndexOf('/') + 1);
    }

    /** "ip\talias hostname name", the name left out when the alias is the name itself. */
    public String hostsLine() {
        String names = alias() + " " + hostname + (alias().equals(name) ? "" : " " + name);
        return ip + "\t" + names;
    }

    /**
     * The variables for this link, in moby's order: ALIAS_PORT for the first port (TCP ports first, then by
     * number), four per port, _START/_END for each run of consecutive ports of one protocol, ALIAS_NAME, then
     * ALIAS_ENV_KEY for the linked container's variables except HOME and PATH. The prefix is the alias upper-cased
     * with "-" made "_" (other characters stay, as in Docker).
     */
    public List<String> environment() {
        String prefix = alias().toUpperCase(Locale.ROOT).replace('-', '_');
        List<Port> ports = exposedPorts.stream().map(Port::parse).sorted(Port.TCP_FIRST).toList();
        List<String> out = new ArrayList<>();
        Port start = null;
        Port end = null;
        for (int i = 0; i < ports.size(); i++) {
            Port p = ports.get(i);
            if (i == 0) {
                start = p;
                end = p;
                out.add(prefix + "_PORT=" + p.url(ip));
            }
            String each = prefix + "_PORT_" + p.number() + "_" + p.protocol().toUpperCase(Locale.ROOT);
            out.add(each + "=" + p.url(ip));
            out.add(each + "_ADDR=" + ip);
            out.add(each + "_PORT=" + p.number());
            out.add(each + "_PROTO=" + p.protocol());
            if (p.number() == end.number() + 1 && p.protocol().equalsIgnoreCase(start.protocol())) {
                end = p;
                if (i < ports.size() - 1) {
                    continue;
                }
            }
            if (!end.equals(start)) {
                String range = prefix + "_PORT_" + start.number() + "_" + start.protocol().toUpperCase(Locale.ROOT);
                out.add(range + "_START=" + start.url(ip));
                out.add(range + "_PORT_START=" + start.number());
                out.add(range + "_END=" + end.url(ip));
                out.add(range + "_PORT_END=" + end.number());
            }
            start = p;
            end = p;
        }
        out.add(prefix + "_NAME=" + linkName);
        for (String entry : env) {
            int eq = entry.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = entry.substring(0, eq);
            if (key.equals("HOME") || key.equals("PATH")) {
                continue; // set by the image build, of no use to the linking container
            }
            out.add(prefix + "_ENV_" + key + "=" + entry.substring(eq + 1));
        }
        return out;
    }

    /** The variables of all links, before the container's own (which win over them, as in Docker). */
    public static List<String> environment(List<LinkedContainer> links, List<String> own) {
        List<String> all = new ArrayList<>();
        links.forEach(l -> all.addAll(l.environment()));
        all.addAll(own);
        return all;
    }

    /**
     * The hosts file with the links' lines after Docker's fixed entries (the last is ip6-allrouters) and before
     * the container's own address, where Docker's sandbox puts its extra hosts.
     */
    public static String intoHosts(String hosts, List<LinkedContainer> links) {
        if (links.isEmpty()) {
            return hosts;
        }
        StringBuilder lines = new StringBuilder();
        links.forEach(l -> lines.append(l.hostsLine()).append('\n'));
        String marker = "\tip6-allrouters\n";
        int at = hosts.indexOf(marker);
        int cut = at < 0 ? hosts.length() : at + marker.length();
        return hosts.substring(0, cut) + lines + hosts.substring(cut);
    }

    /** The hosts file without the line a link known as {@code alias} put there (docker rm --link). */
    public static String withoutAlias(String hosts, String alias) {
        StringBuilder kept = new StringBuilder();
        for (String line : hosts.split("\n", -1)) {
            int tab = line.indexOf('\t');
            String[] names = tab < 0 ? new String[0] : line.substring(tab + 1).split(" ");
            if (names.length >= 2 && names[0].equals(alias)) {
                continue;
            }
            kept.append(line).append('\n');
        }
        return kept.substring(0, kept.length() - 1);
    }

    /**
     * The hosts file with the line of the link known as {@code alias} pointing at {@code ip}: the linked container
     * started again, perhaps at another address, and Docker's sandbox updates its parents' files.
     */
    public static String withAddress(String hosts, String alias, String ip) {
        StringBuilder out = new StringBuilder();
        for (String line : hosts.split("\n", -1)) {
            int tab = line.indexOf('\t');
            String[] names = tab < 0 ? new String[0] : line.substring(tab + 1).split(" ");
            out.append(names.length >= 2 && names[0].equals(alias) ? ip + line.substring(tab) : line).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }

    /** "5432/tcp" as number and protocol. */
    record Port(int number, String protocol) {
        /** moby's order: TCP ports before others, then by number within a protocol, other protocols by name. */
        static final Comparator<Port> TCP_FIRST = (a, b) -> {
            if (a.protocol.equalsIgnoreCase(b.protocol)) {
                return Integer.compare(a.number, b.number);
            }
            if (a.protocol.equalsIgnoreCase("tcp")) {
                return -1;
            }
            if (b.protocol.equalsIgnoreCase("tcp")) {
                return 1;
            }
            return a.protocol.toLowerCase(Locale.ROOT).compareTo(b.protocol.toLowerCase(Locale.ROOT));
        };

        static Port parse(String text) {
            int slash = text.indexOf('/');
            return slash < 0 ? new Port(Integer.parseInt(text), "tcp")
                    : new Port(Integer.parseInt(text.substring(0, slash)), text.substring(slash + 1));
        }

        String url(String ip) {
            return protocol + "://" + ip + ":" + number;
        }
    }
}
