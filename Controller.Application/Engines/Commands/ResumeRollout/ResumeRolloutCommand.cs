using Controller.Application.Engines.Models;
using Mediator;

namespace Controller.Application.Engines.Commands.ResumeRollout;

/// <summary>Let an engine's paused rollout (by an admin, its deadline or a crash loop) move again.</summary>
public sealed record ResumeRolloutCommand(Guid EngineId) : ICommand<EngineDto>;
