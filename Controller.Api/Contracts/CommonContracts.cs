
namespace Controller.Api.Contracts;

/// <summary>Resources as a client sends them: CPU and memory are required, GPUs and disk default to 0.</summary>
[ValidatedAs(typeof(Application.Common.Models.ResourcesModel))]
public sealed record ResourcesRequest(int? CpuMillicores, int? MemoryMiB, int? GpuCount = 0, int? DiskMiB = 0);

/// <summary>Resources as the controller answers them.</summary>
public sealed record ResourcesResponse(int CpuMillicores, int MemoryMiB, int GpuCount, int DiskMiB);

/// <summary>One page of a listing (1-based).</summary>
public sealed record PageResponse<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

/// <summary>What <c>GET /</c> answers an API client: where to go next.</summary>
public sealed record IndexResponse(string Name, IReadOnlyDictionary<string, string> Links);
