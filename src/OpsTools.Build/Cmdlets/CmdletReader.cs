using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;

namespace OpsTools.Build.Cmdlets;

/// <summary>
/// Reads cmdlet declarations from a built assembly without executing it: the assembly is opened
/// in a MetadataLoadContext over its compile references, and attributes are read as
/// CustomAttributeData (a metadata-only context cannot instantiate them).
/// </summary>
internal static class CmdletReader
{
    private const string AutomationNamespace = "System.Management.Automation.";
    private const string CmdletAttribute = AutomationNamespace + "CmdletAttribute";
    private const string ParameterAttribute = AutomationNamespace + "ParameterAttribute";
    private const string AliasAttribute = AutomationNamespace + "AliasAttribute";
    private const string SupportsWildcardsAttribute = AutomationNamespace + "SupportsWildcardsAttribute";
    private const string ValidateSetAttribute = AutomationNamespace + "ValidateSetAttribute";
    private const string OutputTypeAttribute = AutomationNamespace + "OutputTypeAttribute";
    private const string SwitchParameterType = AutomationNamespace + "SwitchParameter";

    private static readonly string[] CoreAssemblyNames = ["System.Runtime", "mscorlib", "netstandard", "System.Private.CoreLib"];
    private static readonly string[] ConfirmImpactNames = ["None", "Low", "Medium", "High"];

    /// <summary>Reads every public, non-abstract class carrying [Cmdlet], in metadata order.</summary>
    public static IReadOnlyList<CmdletDefinition> Read(string assemblyPath, IEnumerable<string> referencePaths, List<Diagnostic> diagnostics)
    {
        var location = new SourceLocation(assemblyPath);
        if (!File.Exists(assemblyPath))
        {
            diagnostics.Add(new Diagnostic(ErrorCodes.UnreadableAssembly, "The cmdlets assembly does not exist.", location));
            return [];
        }

        var cmdlets = new List<CmdletDefinition>();
        try
        {
            using var context = new MetadataLoadContext(new PathAssemblyResolver(ResolverPaths(assemblyPath, referencePaths)));
            Assembly assembly = context.LoadFromAssemblyPath(assemblyPath);
            foreach (Type type in assembly.GetExportedTypes())
            {
                try
                {
                    CmdletDefinition? cmdlet = ReadCmdlet(type);
                    if (cmdlet is not null)
                    {
                        cmdlets.Add(cmdlet);
                    }
                }
                catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or TypeLoadException or BadImageFormatException)
                {
                    diagnostics.Add(new Diagnostic(
                        ErrorCodes.UnreadableAssembly,
                        $"Cannot read type '{type.FullName}': {ex.Message} Is a compile reference missing from --reference?",
                        location));
                }
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException or IOException)
        {
            diagnostics.Add(new Diagnostic(ErrorCodes.UnreadableAssembly, $"Cannot read the cmdlets assembly: {ex.Message}", location));
        }

        return cmdlets;
    }

    private static List<string> ResolverPaths(string assemblyPath, IEnumerable<string> referencePaths)
    {
        string assemblyFileName = Path.GetFileName(assemblyPath);
        var paths = new List<string> { assemblyPath };
        paths.AddRange(referencePaths.Where(p =>
            File.Exists(p) && !string.Equals(Path.GetFileName(p), assemblyFileName, StringComparison.OrdinalIgnoreCase)));

        // Without a core library among the references, fall back to the running runtime's own.
        if (!paths.Any(p => CoreAssemblyNames.Contains(Path.GetFileNameWithoutExtension(p), StringComparer.OrdinalIgnoreCase)))
        {
            paths.AddRange(Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll"));
        }

        return paths;
    }

    private static CmdletDefinition? ReadCmdlet(Type type)
    {
        if (!type.IsClass || type.IsAbstract)
        {
            return null;
        }

        CustomAttributeData? cmdletAttribute = Find(type.GetCustomAttributesData(), CmdletAttribute);
        if (cmdletAttribute is null || cmdletAttribute.ConstructorArguments.Count < 2)
        {
            return null;
        }

        string verb = (string?)cmdletAttribute.ConstructorArguments[0].Value ?? string.Empty;
        string noun = (string?)cmdletAttribute.ConstructorArguments[1].Value ?? string.Empty;
        bool supportsShouldProcess = Named(cmdletAttribute, "SupportsShouldProcess") is true;
        object? impact = Named(cmdletAttribute, "ConfirmImpact");
        string confirmImpact = impact is int i && i >= 0 && i < ConfirmImpactNames.Length ? ConfirmImpactNames[i] : "Medium";

        var parameters = new List<CmdletParameter>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        // Most derived first: a property that hides a base one ("new") wins.
        foreach (MemberInfo member in ParameterCandidates(type))
        {
            CmdletParameter? parameter = ReadParameter(member);
            if (parameter is not null && seen.Add(parameter.Name))
            {
                parameters.Add(parameter);
            }
        }

        if (supportsShouldProcess)
        {
            parameters.AddRange(CmdletParameter.ShouldProcessParameters.Where(p => !seen.Contains(p.Name)));
        }

        return new CmdletDefinition(
            verb,
            noun,
            type.FullName ?? type.Name,
            Named(cmdletAttribute, "DefaultParameterSetName") as string,
            supportsShouldProcess,
            confirmImpact,
            parameters,
            ReadOutputTypes(type));
    }

    private static IEnumerable<MemberInfo> ParameterCandidates(Type type)
    {
        for (Type? current = type; current is not null; current = current.BaseType)
        {
            const BindingFlags Declared = BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly;
            foreach (PropertyInfo property in current.GetProperties(Declared))
            {
                yield return property;
            }

            foreach (FieldInfo field in current.GetFields(Declared))
            {
                yield return field;
            }
        }
    }

    private static CmdletParameter? ReadParameter(MemberInfo member)
    {
        IList<CustomAttributeData> attributes = member.GetCustomAttributesData();
        var sets = new List<ParameterSetEntry>();
        foreach (CustomAttributeData attribute in attributes.Where(a => a.AttributeType.FullName == ParameterAttribute))
        {
            if (Named(attribute, "DontShow") is true)
            {
                return null;
            }

            int position = Named(attribute, "Position") is int p ? p : int.MinValue;
            sets.Add(new ParameterSetEntry(
                Named(attribute, "ParameterSetName") as string ?? ParameterSetEntry.AllSets,
                Named(attribute, "Mandatory") is true,
                position == int.MinValue ? null : position,
                Named(attribute, "ValueFromPipeline") is true,
                Named(attribute, "ValueFromPipelineByPropertyName") is true,
                Named(attribute, "HelpMessage") as string));
        }

        if (sets.Count == 0)
        {
            return null;
        }

        Type type = member is PropertyInfo property ? property.PropertyType : ((FieldInfo)member).FieldType;
        Type valueType = TypeNames.IsNullable(type) ? type.GetGenericArguments()[0] : type;
        return new CmdletParameter(
            member.Name,
            TypeNames.Short(type),
            IsSwitch: valueType.FullName == SwitchParameterType,
            IsArray: valueType.IsArray,
            Aliases: attributes.Where(a => a.AttributeType.FullName == AliasAttribute).SelectMany(StringArguments).ToList(),
            SupportsWildcards: Find(attributes, SupportsWildcardsAttribute) is not null,
            ValidValues: attributes.Where(a => a.AttributeType.FullName == ValidateSetAttribute).SelectMany(StringArguments).ToList(),
            Sets: sets);
    }

    private static List<string> ReadOutputTypes(Type type)
    {
        var names = new List<string>();
        foreach (CustomAttributeData attribute in type.GetCustomAttributesData().Where(a => a.AttributeType.FullName == OutputTypeAttribute))
        {
            foreach (object? value in ConstructorValues(attribute))
            {
                string? name = value switch
                {
                    Type t => TypeNames.Full(t),
                    string s => s,
                    _ => null,
                };
                if (!string.IsNullOrWhiteSpace(name) && !names.Contains(name, StringComparer.Ordinal))
                {
                    names.Add(name);
                }
            }
        }

        return names;
    }

    private static CustomAttributeData? Find(IEnumerable<CustomAttributeData> attributes, string fullName) =>
        attributes.FirstOrDefault(a => a.AttributeType.FullName == fullName);

    private static object? Named(CustomAttributeData attribute, string name) =>
        attribute.NamedArguments.Where(a => a.MemberName == name).Select(a => a.TypedValue.Value).FirstOrDefault();

    private static IEnumerable<string> StringArguments(CustomAttributeData attribute) =>
        ConstructorValues(attribute).OfType<string>();

    // Constructor arguments with params arrays flattened (Alias("a", "b") arrives as one array argument).
    private static IEnumerable<object?> ConstructorValues(CustomAttributeData attribute)
    {
        foreach (CustomAttributeTypedArgument argument in attribute.ConstructorArguments)
        {
            if (argument.Value is ReadOnlyCollection<CustomAttributeTypedArgument> elements)
            {
                foreach (CustomAttributeTypedArgument element in elements)
                {
                    yield return element.Value;
                }
            }
            else
            {
                yield return argument.Value;
            }
        }
    }
}
