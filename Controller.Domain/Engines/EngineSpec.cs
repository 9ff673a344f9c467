using Controller.Domain.Common;

namespace Controller.Domain.Engines;

/// <summary>What an admin says an engine is and how many copies of it should run (or how its backlog sets that),
/// and what a copy runs besides the image (<see cref="EngineRuntime"/>; the default when left out). <see cref="Preemptible"/>:
/// whether its copies may be stopped to make room for an engine of higher priority (true when left out). <see cref="Update"/>: how
/// copies of an older revision are replaced (<see cref="UpdatePolicy.Default"/> when left out).</summary>
public sealed record EngineSpec(
    string Name,
    string Image,
    Resources Resources,
    int Priority,
    int MinInstances,
    int MaxInstances,
    int DesiredInstances,
    IReadOnlyDictionary<string, string> HostLabels,
    EngineScaling? Scaling = null,
    EngineRuntime? Runtime = null,
    bool Preemptible = true,
    UpdatePolicy? Update = null);
