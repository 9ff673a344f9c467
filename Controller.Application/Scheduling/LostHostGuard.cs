using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Domain.Events;
using Microsoft.Extensions.Options;

namespace Controller.Application.Scheduling;

/// <summary>Whether this replica's sweeps hold lost-host detection because most hosts fell silent at once.</summary>
public sealed class MassSilenceHold
{
    public bool Holding { get; set; }
}

/// <summary>
/// When silence is more likely the controller's or the network's fault than the hosts': right after the controller
/// starts, and when most hosts fall silent at once (the feed says when such a hold starts and ends, once each).
/// </summary>
public sealed class LostHostGuard(ControllerLifetime lifetime, MassSilenceHold hold, IEventLog events, IUnitOfWork unitOfWork, IOptions<SchedulingOptions> options)
{
    /// <summary>Right after a start, silence may be the controller's own: nobody is lost before every host had a full grace.</summary>
    public bool TooSoonAfterStart(DateTimeOffset now, TimeSpan grace) =>
        now < lifetime.StartedAt + grace + TimeSpan.FromSeconds(options.Value.StartupGraceSeconds);

    /// <summary>More than one host and more than <see cref="SchedulingOptions.MassLossFraction"/> of the live ones are silent.</summary>
    public async Task<bool> IsMassSilenceAsync(int silent, int live, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var mass = silent > 1 && silent > options.Value.MassLossFraction * live;
        if (mass == hold.Holding)
        {
            return mass;
        }

        events.Add(mass
            ? ClusterEvent.Create(ClusterEventTypes.SweepHeldBack, now,
                $"{silent} of {live} live hosts fell silent at once: lost-host detection is held (more likely a network or controller fault); past {options.Value.MassSilenceMaxHoldSeconds} s silent hosts are declared lost at a limited rate.",
                reason: "mass_silence")
            : ClusterEvent.Create(ClusterEventTypes.SweepResumed, now, $"{silent} of {live} live hosts are silent: lost-host detection runs normally again."));
        await unitOfWork.SaveChangesAsync(cancellationToken);
        unitOfWork.Reset();
        hold.Holding = mass;
        return mass;
    }
}
