namespace Controller.Application.Common.Security;

/// <summary>A message about one host: a host token may only send it for its own host.</summary>
public interface IHostScoped
{
    Guid HostId { get; }
}

/// <summary>A message about one engine instance: an engine-instance token may only send it for itself.</summary>
public interface IInstanceScoped
{
    Guid InstanceId { get; }
}
