namespace Controller.Application.Common.Models;

/// <summary>
/// What the database in use allows, as the processors of the hot paths need it. Given by the persistence layer from
/// its provider, never configured.
/// </summary>
/// <param name="ParallelWriters">How many write transactions make progress at once: SQLite commits one writer at a time;
/// server databases lock rows, and a few transactions at once keep a two-core machine busy without queueing on locks.</param>
public sealed record DatabaseProfile(int ParallelWriters);
