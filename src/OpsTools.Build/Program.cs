using System;
using System.Collections.Generic;

namespace OpsTools.Build;

/// <summary>Entry point: <c>dotnet OpsTools.Build.dll module ...</c> (see <see cref="ModuleCommandOptions.Usage"/>).</summary>
internal static class Program
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int InvalidUsage = 2;

    public static int Main(string[] args)
    {
        if (args.Length == 1 && args[0] is "--help" or "-h" or "-?")
        {
            Console.Out.WriteLine(ModuleCommandOptions.Usage);
            return Success;
        }

        var errors = new List<string>();
        ModuleCommandOptions? options = ModuleCommandOptions.Parse(args, errors);
        if (options is null)
        {
            foreach (string error in errors)
            {
                Console.Error.WriteLine($"OpsTools.Build: error {ErrorCodes.InvalidInvocation}: {error}");
            }

            Console.Error.WriteLine(ModuleCommandOptions.Usage);
            return InvalidUsage;
        }

        ModuleBuildResult result = ModuleBuilder.Run(options);
        foreach (Diagnostic diagnostic in result.Diagnostics)
        {
            Console.Error.WriteLine(diagnostic.ToString());
        }

        if (!result.Succeeded)
        {
            Console.Error.WriteLine($"OpsTools.Build: {result.Diagnostics.Count} error(s); the module was not written.");
            return Failed;
        }

        foreach (string path in result.WrittenFiles)
        {
            Console.Out.WriteLine($"OpsTools.Build: wrote {path}");
        }

        return Success;
    }
}
