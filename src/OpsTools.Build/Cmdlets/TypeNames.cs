using System;
using System.Linq;

namespace OpsTools.Build.Cmdlets;

/// <summary>Type names as Get-Help shows them (String[], SwitchParameter, List[String]).</summary>
internal static class TypeNames
{
    /// <summary>The short name: no namespace, Nullable unwrapped (it means "optional" to a user).</summary>
    public static string Short(Type type) => Format(type, fullNames: false);

    /// <summary>The namespace-qualified name, for INPUTS and OUTPUTS.</summary>
    public static string Full(Type type) => Format(type, fullNames: true);

    public static bool IsNullable(Type type) =>
        type.IsGenericType && !type.IsGenericTypeDefinition && type.GetGenericTypeDefinition().FullName == "System.Nullable`1";

    private static string Format(Type type, bool fullNames)
    {
        if (type.IsArray)
        {
            Type element = type.GetElementType()!;
            return Format(element, fullNames) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        }

        if (type.IsByRef || type.IsPointer)
        {
            return Format(type.GetElementType()!, fullNames);
        }

        if (IsNullable(type))
        {
            return Format(type.GetGenericArguments()[0], fullNames);
        }

        string name = fullNames && type.FullName is not null && !type.IsGenericType ? type.FullName : type.Name;
        if (!type.IsGenericType)
        {
            return name;
        }

        int tick = name.IndexOf('`', StringComparison.Ordinal);
        string baseName = tick >= 0 ? name[..tick] : name;
        if (fullNames && !string.IsNullOrEmpty(type.Namespace))
        {
            baseName = type.Namespace + "." + baseName;
        }

        return baseName + "[" + string.Join(",", type.GetGenericArguments().Select(a => Format(a, fullNames))) + "]";
    }
}
