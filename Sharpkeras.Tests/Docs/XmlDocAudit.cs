using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Xml.Linq;
using NUnit.Framework;

namespace Sharpkeras.Tests.Docs;

/// <summary>The reflection side of <see cref="XmlDocCompletenessTests"/>: doc IDs, inheritdoc and the member walk.</summary>
internal static class XmlDocAudit
{
    internal sealed record Report(int Checked, List<string> Missing);

    /// <summary>Checks <paramref name="assembly"/> against the documentation files of all of <paramref name="documented"/>.</summary>
    internal static Report Run(Assembly assembly, Assembly[] documented)
    {
        var docs = documented.Select(Load).SelectMany(d => d).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.First().Value);
        return Check(Members(assembly), docs, documented);
    }

    /// <summary>
    /// Checks members against documentation elements by ID; <c>&lt;inheritdoc/&gt;</c> that leads outside
    /// <paramref name="documented"/> is trusted.
    /// </summary>
    internal static Report Check(IEnumerable<MemberInfo> members, Dictionary<string, XElement> docs, Assembly[] documented)
    {
        int checkedCount = 0;
        var missing = new List<string>();
        foreach (var member in members)
        {
            var parameters = Parameters(member);
            if (parameters.Length == 0) continue;
            checkedCount++;
            var id = Id(member);
            var doc = Resolve(member, docs, documented);
            if (doc is null) { missing.Add($"{id}: no documentation, or an <inheritdoc/> that leads nowhere"); continue; }
            if (doc.Value.source is null) continue; // <inheritdoc/> of a member outside Sharpkeras (e.g. object.Equals): trusted.
            var tags = doc.Value.element.Elements("param")
                .Where(p => !string.IsNullOrWhiteSpace(p.Value) || p.Elements().Any())
                .Select(p => (string?)p.Attribute("name")).ToHashSet();
            var names = doc.Value.names ?? parameters.Select(p => p.Name).ToArray();
            var lacking = names.Where(n => !tags.Contains(n)).ToList();
            if (lacking.Count > 0)
                missing.Add($"{id}: no <param> for {string.Join(", ", lacking)}" + (doc.Value.source == id ? "" : $" (inherits the docs of {doc.Value.source})"));
        }
        return new Report(checkedCount, missing);
    }

    /// <summary>The documentation file of an assembly (next to it in the test output), by member ID.</summary>
    internal static Dictionary<string, XElement> Load(Assembly assembly)
    {
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        Assert.That(File.Exists(path), Is.True, $"{path} is missing: the library must set GenerateDocumentationFile");
        return XDocument.Load(path).Root!.Element("members")!.Elements("member")
            .GroupBy(m => (string)m.Attribute("name")!).ToDictionary(g => g.Key, g => g.First());
    }

    /// <summary>Externally visible, hand-written members that can take parameters.</summary>
    internal static IEnumerable<MemberInfo> Members(Assembly assembly)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetTypes().Where(t => t.IsVisible && !Generated(t)))
        {
            if (typeof(Delegate).IsAssignableFrom(type)) { yield return type; continue; }
            foreach (var ctor in type.GetConstructors(all).Where(c => Visible(c) && !Generated(c))) yield return ctor;
            foreach (var method in type.GetMethods(all).Where(m => Visible(m) && !Generated(m)))
                if (!method.IsSpecialName || method.Name.StartsWith("op_", StringComparison.Ordinal)) yield return method;
            foreach (var indexer in type.GetProperties(all).Where(p => p.GetIndexParameters().Length > 0))
                if (indexer.GetAccessors(true).Any(Visible)) yield return indexer;
        }
    }

    private static bool Visible(MethodBase m) =>
        (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly) && !(m.DeclaringType!.IsSealed && !m.IsPublic);

    // Records' Equals/GetHashCode/Deconstruct/<Clone>$/op_Equality etc. carry [CompilerGenerated]; so do lambdas' closures.
    private static bool Generated(MemberInfo m) =>
        m.IsDefined(typeof(CompilerGeneratedAttribute), false) || m.Name.Contains('<');

    internal static ParameterInfo[] Parameters(MemberInfo m) => m switch
    {
        Type d => d.GetMethod("Invoke")!.GetParameters(),
        MethodBase b => b.GetParameters(),
        PropertyInfo p => p.GetIndexParameters(),
        _ => [],
    };

    /// <summary>
    /// The doc element that documents <paramref name="member"/>'s parameters: its own, or the one its
    /// <c>&lt;inheritdoc/&gt;</c> points to (with that member's parameter names) and that member's ID; a null ID when the
    /// documentation is inherited from outside Sharpkeras (e.g. <c>object.Equals</c>), which is trusted.
    /// </summary>
    private static (XElement element, string?[]? names, string? source)? Resolve(MemberInfo member, Dictionary<string, XElement> docs, Assembly[] documented)
    {
        for (int depth = 0; depth < 16; depth++)
        {
            if (!docs.TryGetValue(Id(member), out var element)) return null;
            var inherit = element.Element("inheritdoc");
            if (inherit is null) return (element, depth == 0 ? null : Parameters(member).Select(p => p.Name).ToArray(), Id(member));
            if (inherit.Attribute("cref") is { } cref)
                return docs.TryGetValue(cref.Value, out var target) ? (target, null, cref.Value) : (element, null, null);
            var next = Inherited(member);
            if (next is null) return null;
            if (!documented.Contains(next.Module.Assembly)) return (element, null, null);
            member = next;
        }
        return null;
    }

    /// <summary>The member an override or interface implementation inherits its documentation from.</summary>
    private static MemberInfo? Inherited(MemberInfo member)
    {
        if (member is MethodInfo method)
        {
            var types = method.GetParameters().Select(p => p.ParameterType).ToArray();
            if (method.GetBaseDefinition() != method || method.IsVirtual)
                for (var t = method.DeclaringType!.BaseType; t != null; t = t.BaseType)
                {
                    var found = t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                        .FirstOrDefault(m => m.Name == method.Name && m.GetParameters().Select(p => p.ParameterType).SequenceEqual(types));
                    if (found != null) return found;
                }
            foreach (var iface in method.DeclaringType!.GetInterfaces())
            {
                if (method.DeclaringType.IsInterface) break;
                var map = method.DeclaringType.GetInterfaceMap(iface);
                int i = Array.IndexOf(map.TargetMethods, method);
                if (i >= 0) return map.InterfaceMethods[i];
            }
        }
        if (member is ConstructorInfo ctor)
        {
            var types = ctor.GetParameters().Select(p => p.ParameterType).ToArray();
            return ctor.DeclaringType!.BaseType?.GetConstructor(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, types);
        }
        if (member is PropertyInfo property)
        {
            var types = property.GetIndexParameters().Select(p => p.ParameterType).ToArray();
            for (var t = property.DeclaringType!.BaseType; t != null; t = t.BaseType)
            {
                var found = t.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                    .FirstOrDefault(p => p.Name == property.Name && p.GetIndexParameters().Select(q => q.ParameterType).SequenceEqual(types));
                if (found != null) return found;
            }
            foreach (var iface in property.DeclaringType.GetInterfaces())
            {
                var found = iface.GetProperties().FirstOrDefault(p => p.Name == property.Name
                    && p.GetIndexParameters().Select(q => q.ParameterType).SequenceEqual(types));
                if (found != null) return found;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ documentation comment IDs (ECMA-334 annex D)

    /// <summary>The ID the C# compiler gives a member in the documentation file, e.g. <c>M:Ns.Type.Method``1(System.Int32@)</c>.</summary>
    internal static string Id(MemberInfo member)
    {
        switch (member)
        {
            case Type t:
                return "T:" + TypeName(t);
            case PropertyInfo p:
            {
                var ps = p.GetIndexParameters();
                return "P:" + TypeName(p.DeclaringType!) + "." + p.Name.Replace('.', '#')
                       + (ps.Length == 0 ? "" : "(" + string.Join(",", ps.Select(q => ParamType(q.ParameterType))) + ")");
            }
            case MethodBase m:
            {
                var sb = new StringBuilder("M:").Append(TypeName(m.DeclaringType!)).Append('.');
                sb.Append(m is ConstructorInfo ? (m.IsStatic ? "#cctor" : "#ctor") : m.Name.Replace('.', '#'));
                if (m.IsGenericMethodDefinition) sb.Append("``").Append(m.GetGenericArguments().Length);
                var ps = m.GetParameters();
                if (ps.Length > 0) sb.Append('(').Append(string.Join(",", ps.Select(q => ParamType(q.ParameterType)))).Append(')');
                if (m.Name is "op_Implicit" or "op_Explicit") sb.Append('~').Append(ParamType(((MethodInfo)m).ReturnType));
                return sb.ToString();
            }
            default:
                throw new ArgumentException($"Expected a type, method, constructor or property; got {member.MemberType}.", nameof(member));
        }
    }

    /// <summary>A type definition's name in an ID: namespace, containing types, and each generic arity as `N.</summary>
    private static string TypeName(Type t) =>
        (t.IsNested ? TypeName(t.DeclaringType!) + "." : string.IsNullOrEmpty(t.Namespace) ? "" : t.Namespace + ".") + t.Name;

    /// <summary>A parameter's type in an ID: generic arguments in braces, `N / ``N for type parameters, @ for by-ref.</summary>
    private static string ParamType(Type t)
    {
        if (t.IsByRef) return ParamType(t.GetElementType()!) + "@";
        if (t.IsPointer) return ParamType(t.GetElementType()!) + "*";
        if (t.IsArray)
            return ParamType(t.GetElementType()!) + (t.IsSZArray ? "[]" : "[" + string.Join(",", Enumerable.Repeat("0:", t.GetArrayRank())) + "]");
        if (t.IsGenericParameter) return (t.DeclaringMethod != null ? "``" : "`") + t.GenericParameterPosition;
        if (!t.IsGenericType) return TypeName(t);
        // A constructed (or open) generic: each type in the nesting chain takes its own share of the arguments.
        var args = t.GetGenericArguments();
        var chain = new List<Type>();
        for (var c = t.IsGenericTypeDefinition ? t : t.GetGenericTypeDefinition(); c != null; c = c.DeclaringType) chain.Insert(0, c);
        var sb = new StringBuilder(string.IsNullOrEmpty(chain[0].Namespace) ? "" : chain[0].Namespace + ".");
        int used = 0;
        for (int i = 0; i < chain.Count; i++)
        {
            if (i > 0) sb.Append('.');
            var name = chain[i].Name;
            int tick = name.IndexOf('`');
            sb.Append(tick < 0 ? name : name[..tick]);
            int own = chain[i].GetGenericArguments().Length - used;
            if (own > 0)
            {
                sb.Append('{').Append(string.Join(",", args.Skip(used).Take(own).Select(ParamType))).Append('}');
                used += own;
            }
        }
        return sb.ToString();
    }
}
