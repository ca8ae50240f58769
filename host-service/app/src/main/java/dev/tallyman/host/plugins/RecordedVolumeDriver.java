package dev.tallyman.host.plugins;

import dev.tallyman.spi.volume.VolumeDriver;
import dev.tallyman.spi.volume.VolumeInfo;
import dev.tallyman.spi.volume.VolumeMount;
import dev.tallyman.spi.volume.VolumeSpec;
import java.util.List;
import java.util.Optional;

/** A plugin's volume driver whose creates, mounts and removes are on the record as plugin uses. */
final class RecordedVolumeDriver implements VolumeDriver {
    private final VolumeDriver driver;
    private final PluginRecord record;

    RecordedVolumeDriver(VolumeDriver driver, PluginRecord record) {
        this.driver = driver;
        this.record = record;
    }

    private void used(String operation, String object) {
        record.used(DriverKind.VOLUME, driver.name(), operation, object);
    }

    @Override
    public String name() {
        return driver.name();
    }

    @Override
    public VolumeInfo create(VolumeSpec spec) {
        used("create", spec.name());
        return PluginCalls.within(driver, () -> driver.create(spec));
    }

    @Override
    public Optional<VolumeInfo> inspect(String name) {
        return PluginCalls.within(driver, () -> driver.inspect(name));
    }

    @Override
    public List<VolumeInfo> list() {
        return PluginCalls.within(driver, driver::list);
    }

    @Override
    public VolumeMount mount(String name) {
        used("mount", name);
        return PluginCalls.within(driver, () -> driver.mount(name));
    }

    @Override
    public void remove(String name) {
        used("remove", name);
        PluginCalls.run(driver, () -> driver.remove(name));
    }

    @Override
    public long usage(String name) {
        return PluginCalls.within(driver, () -> driver.usage(name));
    }
}
