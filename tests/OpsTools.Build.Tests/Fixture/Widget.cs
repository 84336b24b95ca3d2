using System;

namespace OpsTools.Build.Fixture;

/// <summary>The output type of the fixture cmdlets.</summary>
public sealed class Widget
{
    public string Name { get; set; } = string.Empty;

    public int Id { get; set; }
}
