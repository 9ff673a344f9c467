using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Work.Models;

namespace Controller.Application.Work.Commands.SubmitTask;

/// <summary>
/// Submits tasks as one transaction: every engine must exist and take work; a task whose idempotency key was used
/// before answers the task it created (or 409 when the key came with a different task); nothing is stored unless all are.
/// Once saved, the unit of work wakes as many long-polling copies of each engine as it got new tasks, on every replica.
/// </summary>
public sealed class TaskSubmitter(ITaskRepository tasks, IEngineRepository engines, TaskAccess access, IUnitOfWork unitOfWork, TimeProvider clock)
{
    private const int Attempts = 3;

    public async Task<IReadOnlyList<SubmittedTask>> SubmitAsync(IReadOnlyList<TaskSubmission> submissions, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TrySubmitAsync(submissions, cancellationToken);
            }
            catch (UniqueConstraintViolationException) when (attempt < Attempts)
            {
                // Another request stored the same idempotency key meanwhile: read it again and answer that task.
                unitOfWork.Reset();
            }
        }
    }

    private async Task<IReadOnlyList<SubmittedTask>> TrySubmitAsync(IReadOnlyList<TaskSubmission> submissions, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var engineId in submissions.Select(s => s.EngineId!.Value).Distinct())
        {
            var engine = await engines.FindAsync(engineId, cancellationToken) ?? throw WorkErrors.EngineNotFound(engineId);
            if (engine.State != Domain.Engines.EngineState.Active)
            {
                throw WorkErrors.EngineNotActive(engineId);
            }
        }

        var results = new List<SubmittedTask>(submissions.Count);
        var byKey = new Dictionary<(Guid, string), Domain.Work.WorkTask>();
        foreach (var submission in submissions)
        {
            var spec = submission.ToSpec();
            if (spec.IdempotencyKey is { } key)
            {
                var existing = byKey.GetValueOrDefault((spec.EngineId, key))
                    ?? await tasks.FindByIdempotencyKeyAsync(spec.EngineId, key, cancellationToken);
                if (existing is not null)
                {
                    if (!existing.IsVisibleTo(access.OnlySubmittedBy))
                    {
                        throw WorkErrors.IdempotencyKeyTaken(key);
                    }

                    if (!spec.SameAs(existing))
                    {
                        throw WorkErrors.IdempotencyKeyReused(key, existing.Id);
                    }

                    results.Add(new SubmittedTask(TaskDto.From(existing), Created: false));
                    continue;
                }
            }

            var task = Domain.Work.WorkTask.Submit(Guid.CreateVersion7(now), spec, now, access.Submitter);
            tasks.Add(task);
            if (spec.IdempotencyKey is { } newKey)
            {
                byKey[(spec.EngineId, newKey)] = task;
            }

            results.Add(new SubmittedTask(TaskDto.From(task), Created: true));
        }

        await unitOfWork.SaveChangesAsync(cancellationToken);
        return results;
    }
}
