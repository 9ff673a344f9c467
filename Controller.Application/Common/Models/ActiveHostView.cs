using Controller.Domain.Common;

namespace Controller.Application.Common.Models;

/// <summary>An active host as the cluster view needs it.</summary>
public sealed record ActiveHostView(Guid HostId, IReadOnlyDictionary<string, string> Labels, Resources Capacity, Resources Allocated);
