namespace Controller.Infrastructure.Persistence;

/// <summary>
/// The last status report a host sent and the answer it got (JSON), kept out of the host row that every round writes:
/// a round stores them only when they differ from what is stored (the host row keeps a digest of them).
/// Every host has one, created with it.
/// </summary>
public sealed class HostStatusRecord
{
    public Guid HostId { get; set; }

    public string? Report { get; set; }

    public string? Answer { get; set; }
}
