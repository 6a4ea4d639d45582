using System.Reflection;
using System.Xml.Linq;
using NUnit.Framework;

namespace Sharpkeras.Tests.Docs;

/// <summary>
/// Keeps the API reference complete: for every library assembly, loads the XML documentation file the compiler wrote
/// next to it and checks that every parameter of every externally visible method, constructor, operator, indexer and
/// delegate has a non-empty <c>&lt;param&gt;</c> (the compiler only insists on a summary, CS1591; it says nothing
/// when a documented member has no <c>&lt;param&gt;</c> at all). <c>&lt;inheritdoc/&gt;</c> is followed to the
/// overridden or implemented member, as docfx does; compiler-generated members (record equality, Deconstruct,
/// property accessors) are skipped.
/// </summary>
public class XmlDocCompletenessTests
{
    /// <summary>The five shipped libraries, each by one of its public types.</summary>
    private static readonly Assembly[] Libraries =
    [
        typeof(Model).Assembly,                           // Sharpkeras.Core
        typeof(Sharpkeras.Layers.Dense).Assembly,         // Sharpkeras.Layers
        typeof(Sharpkeras.Datasets.Mnist).Assembly,       // Sharpkeras.Datasets
        typeof(OnnxExtensions).Assembly,                  // Sharpkeras.Onnx
        typeof(HistoryPlot).Assembly,                     // Sharpkeras.Plotting
    ];

    private static IEnumerable<TestCaseData> LibraryCases() =>
        Libraries.Select(a => new TestCaseData(a).SetArgDisplayNames(a.GetName().Name!));

    [TestCaseSource(nameof(LibraryCases))]
    public void EveryParameterOfThePublicApiHasAParamTag(Assembly assembly)
    {
        var report = XmlDocAudit.Run(assembly, Libraries);
        TestContext.Out.WriteLine($"{assembly.GetName().Name}: {report.Checked} members with parameters checked, {report.Missing.Count} incomplete");
        Assert.That(report.Checked, Is.GreaterThan(0), "nothing was checked: is the documentation file stale?");
        Assert.That(report.Missing, Is.Empty,
            $"{report.Missing.Count} public members of {assembly.GetName().Name} lack <param> docs:\n" + string.Join("\n", report.Missing));
    }

    // The audit's doc-ID builder against the IDs the compiler wrote for every member with parameters of the five libraries.
    [Test]
    public void DocumentationIdsMatchTheCompilers()
    {
        foreach (var assembly in Libraries)
        {
            var docs = XmlDocAudit.Load(assembly);
            // Implicit parameterless constructors have no entry and nothing to check, so members without parameters are left out.
            var unknown = XmlDocAudit.Members(assembly).Where(m => XmlDocAudit.Parameters(m).Length > 0)
                .Select(XmlDocAudit.Id).Where(id => !docs.ContainsKey(id)).ToList();
            Assert.That(unknown, Is.Empty, $"IDs built by the audit that the compiler did not write for {assembly.GetName().Name}:\n" + string.Join("\n", unknown));
        }
    }

    // The member kinds the libraries may grow into (generics, by-ref, nested generic types, operators, indexers, delegates,
    // records, primary constructors, inheritdoc), on DocSamples with the documentation file the C# compiler writes for it
    // (IDs copied from a build of DocSamples with GenerateDocumentationFile), some <param> tags deliberately left out.
    [Test]
    public void AuditBuildsTheCompilersIdsAndReportsExactlyTheMissingParams()
    {
        const string ns = "Sharpkeras.Tests.Docs.DocSamples";
        string[] compilerIds =
        [
            $"T:{ns}.Handler",
            $"M:{ns}.Box`1.#ctor(`0)",
            $"M:{ns}.Box`1.Swap``1(`0@,``0@,System.Int32@)",
            $"P:{ns}.Box`1.Item(System.Int32,System.String)",
            $"M:{ns}.Box`1.op_Addition({ns}.Box{{`0}},{ns}.Box{{`0}})",
            $"M:{ns}.Box`1.op_Implicit({ns}.Box{{`0}})~`0[]",
            $"M:{ns}.Box`1.Inner`1.Take(System.Collections.Generic.List{{`0}},System.Int32[0:,0:],`1[],"
                + "System.Collections.Generic.Dictionary{`0,System.ValueTuple{System.Int32,`1}},System.Nullable{System.Int32})",
            $"M:{ns}.Pair.#ctor(System.Int32,System.Int32)",
            $"M:{ns}.Named.#ctor(System.String)",
            $"M:{ns}.Base.Run(System.Int32)",
            $"M:{ns}.Base.Hook(System.Double)",
            $"M:{ns}.Derived.Run(System.Int32)",
            $"M:{ns}.Derived.Hook(System.Double)",
            $"M:{ns}.Primary.#ctor(System.Int32)",
        ];
        var members = XmlDocAudit.Members(typeof(DocSamples).Assembly)
            .Where(m => (m as Type ?? m.DeclaringType)!.FullName!.StartsWith(typeof(DocSamples).FullName! + "+", StringComparison.Ordinal))
            .Where(m => XmlDocAudit.Parameters(m).Length > 0).ToList();
        Assert.That(members.Select(XmlDocAudit.Id), Is.EquivalentTo(compilerIds),
            "one member per ID: record equality, Deconstruct and property accessors are compiler-generated and not checked");

        string Doc(string id, params string[] documented) =>
            $"<member name=\"{id}\"><summary>s</summary>{string.Concat(documented.Select(n => $"<param name=\"{n}\">{n} text</param>"))}</member>";
        var xml = XElement.Parse("<members>" + string.Concat(
            Doc(compilerIds[0], "code"),                       // delegate: message missing
            Doc(compilerIds[1]),                               // constructor of a generic type: value missing
            Doc(compilerIds[2], "a", "b"),                     // ref/out/in: c missing
            Doc(compilerIds[3], "index"),                      // indexer: key missing
            Doc(compilerIds[4], "a", "b"),
            Doc(compilerIds[5]),                               // conversion operator: box missing
            Doc(compilerIds[6], "items", "grid", "values", "map", "maybe"),
            Doc(compilerIds[7], "Left"),                       // record struct's primary constructor: Right missing
            Doc(compilerIds[8], "Name"),
            Doc(compilerIds[9], "steps"),
            Doc(compilerIds[10]),                              // rate missing here, so also in Derived.Hook's inheritdoc
            $"<member name=\"{compilerIds[11]}\"><inheritdoc /></member>",
            $"<member name=\"{compilerIds[12]}\"><inheritdoc /></member>",
            $"<member name=\"{compilerIds[13]}\"><summary>s</summary><param name=\"x\"></param></member>") // empty text counts as missing
            + "</members>");
        var docs = xml.Elements("member").ToDictionary(m => (string)m.Attribute("name")!);

        var report = XmlDocAudit.Check(members, docs, [typeof(DocSamples).Assembly]);
        Assert.That(report.Checked, Is.EqualTo(compilerIds.Length));
        Assert.That(report.Missing, Is.EquivalentTo(new[]
        {
            $"{compilerIds[0]}: no <param> for message",
            $"{compilerIds[1]}: no <param> for value",
            $"{compilerIds[2]}: no <param> for c",
            $"{compilerIds[3]}: no <param> for key",
            $"{compilerIds[5]}: no <param> for box",
            $"{compilerIds[7]}: no <param> for Right",
            $"{compilerIds[10]}: no <param> for rate",
            $"{compilerIds[12]}: no <param> for rate (inherits the docs of {compilerIds[10]})",
            $"{compilerIds[13]}: no <param> for x",
        }));
    }
}
