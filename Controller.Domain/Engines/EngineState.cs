namespace Controller.Domain.Engines;

public enum EngineState
{
    /// <summary>In the catalogue: copies are launched up to the desired count.</summary>
    Active,

    /// <summary>Deleted by an admin: its instances are being stopped.</summary>
    Deleting,

    /// <summary>Gone: no instance is left; kept only so old instances still name it.</summary>
    Deleted,
}
