using Controller.Domain.EngineInstances;

namespace Controller.Application.EngineInstances.Models;

/// <summary>
/// The answer to a heartbeat: whether the engine may take new work, whether it should stop, and the tasks it holds that
/// were cancelled (it should drop them; their outcomes are not kept).
/// </summary>
public sealed record HeartbeatAnswer(bool AcceptWork, bool Stop, EngineInstanceState State, IReadOnlyList<Guid> CancelledTaskIds);
