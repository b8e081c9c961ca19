import { describe, expect, test } from "bun:test";
import { type ParsedManifest, parseManifest } from "../../src/registry/manifest.ts";
import { MEDIA_TYPES } from "../../src/registry/media-types.ts";
import { RegistryError } from "../../src/registry/registry-error.ts";

const CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
const LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
const digest = (digit: string) => `sha256:${digit.repeat(64)}`;

const CONFIG = { mediaType: CONFIG_TYPE, digest: digest("c"), size: 100 };
const LAYER_1 = { mediaType: LAYER_TYPE, digest: digest("1"), size: 1000 };
const LAYER_2 = { mediaType: LAYER_TYPE, digest: digest("2"), size: 2000 };

function bytes(document: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(document));
}

function ociManifest(fields: Record<string, unknown> = {}) {
  return {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: CONFIG,
    layers: [LAYER_1, LAYER_2],
    ...fields,
  };
}

function ociIndex(fields: Record<string, unknown> = {}) {
  return {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: [
      { mediaType: MEDIA_TYPES.ociManifest, digest: digest("a"), size: 500 },
      { mediaType: MEDIA_TYPES.ociManifest, digest: digest("b"), size: 600 },
    ],
    ...fields,
  };
}

function parse(document: unknown, contentType: string | null = null): ParsedManifest {
  return parseManifest(bytes(document), contentType);
}

/** The message of the manifest-invalid error parsing throws; fails the test otherwise. */
function invalidBecause(body: unknown, contentType: string | null = null): string {
  const raw = body instanceof Uint8Array ? body : bytes(body);
  try {
    parseManifest(raw, contentType);
  } catch (error) {
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).kind).toBe("manifest-invalid");
    return (error as Error).message;
  }
  throw new Error("parseManifest accepted the manifest");
}

describe("an OCI image manifest", () => {
  test("needs its config and layers, and reports the config type as artifactType", () => {
    const annotations = { "org.opencontainers.image.created": "2024-01-01T00:00:00Z" };
    expect(parse(ociManifest({ annotations }), MEDIA_TYPES.ociManifest)).toEqual({
      mediaType: MEDIA_TYPES.ociManifest,
      shape: "image",
      blobs: [CONFIG.digest, LAYER_1.digest, LAYER_2.digest],
      references: [CONFIG, LAYER_1, LAYER_2],
      children: [],
      subject: null,
      artifactType: CONFIG_TYPE,
      annotations,
    });
  });

  test("a layer named twice is required once", () => {
    const parsed = parse(ociManifest({ layers: [LAYER_1, LAYER_1] }));
    expect(parsed.blobs).toEqual([CONFIG.digest, LAYER_1.digest]);
  });

  test("a config that is also a layer is required once", () => {
    const parsed = parse(ociManifest({ layers: [{ ...CONFIG, mediaType: LAYER_TYPE }] }));
    expect(parsed.blobs).toEqual([CONFIG.digest]);
  });

  test("a manifest without layers needs only its config", () => {
    const { layers: _, ...document } = ociManifest();
    expect(parse(document).blobs).toEqual([CONFIG.digest]);
  });

  test("a Content-Type with parameters and capitals still names the type", () => {
    const parsed = parse(
      ociManifest(),
      "Application/VND.OCI.Image.Manifest.v1+json; charset=utf-8",
    );
    expect(parsed.mediaType).toBe(MEDIA_TYPES.ociManifest);
  });

  test("without a mediaType field the Content-Type decides", () => {
    const { mediaType: _, ...document } = ociManifest();
    expect(parse(document, MEDIA_TYPES.dockerManifest).mediaType).toBe(MEDIA_TYPES.dockerManifest);
  });
});

describe("foreign layers", () => {
  const FOREIGN = [
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
  ];
  for (const mediaType of FOREIGN) {
    test(`${mediaType} need not be pushed`, () => {
      const foreign = { mediaType, digest: digest("f"), size: 10, urls: ["https://x/y"] };
      const parsed = parse(ociManifest({ layers: [foreign, LAYER_1] }));
      expect(parsed.blobs).toEqual([CONFIG.digest, LAYER_1.digest]);
    });
  }

  test("a foreign layer's descriptor is still checked", () => {
    const foreign = { mediaType: FOREIGN[0], digest: "sha256:nope", size: 10 };
    expect(invalidBecause(ociManifest({ layers: [foreign] }))).toContain("layers[0].digest");
  });
});

describe("an OCI index", () => {
  test("needs its child manifests and no blobs", () => {
    expect(parse(ociIndex(), MEDIA_TYPES.ociIndex)).toEqual({
      mediaType: MEDIA_TYPES.ociIndex,
      shape: "index",
      blobs: [],
      references: [
        { mediaType: MEDIA_TYPES.ociManifest, digest: digest("a"), size: 500 },
        { mediaType: MEDIA_TYPES.ociManifest, digest: digest("b"), size: 600 },
      ],
      children: [digest("a"), digest("b")],
      subject: null,
      artifactType: null,
      annotations: null,
    });
  });

  test("a child named twice is required once", () => {
    const child = { mediaType: MEDIA_TYPES.ociManifest, digest: digest("a"), size: 1 };
    expect(parse(ociIndex({ manifests: [child, child] })).children).toEqual([digest("a")]);
  });

  test("an empty index is valid", () => {
    expect(parse(ociIndex({ manifests: [] })).children).toEqual([]);
  });

  test("keeps its own artifactType", () => {
    expect(parse(ociIndex({ artifactType: "application/example" })).artifactType).toBe(
      "application/example",
    );
  });

  test("without manifests it is invalid", () => {
    const { manifests: _, ...document } = ociIndex();
    expect(invalidBecause(document)).toContain("manifests must be an array");
  });

  test("a bad child descriptor is named by position", () => {
    const manifests = [ociIndex().manifests[0], { mediaType: MEDIA_TYPES.ociManifest, size: 1 }];
    expect(invalidBecause(ociIndex({ manifests }))).toContain("manifests[1].digest is required");
  });

  test("a child that is no descriptor object is refused", () => {
    for (const child of [null, "sha256:x", 5, []]) {
      expect(invalidBecause(ociIndex({ manifests: [child] }))).toBe(
        "manifests[0] must be a descriptor object",
      );
    }
  });

  test("a child's platform must name os and architecture as strings", () => {
    const child = (platform: unknown) => ({ ...ociIndex().manifests[0], platform });
    const cases: Array<[unknown, string]> = [
      ["linux/amd64", "manifests[0].platform must be an object"],
      [null, "manifests[0].platform must be an object"],
      [{ os: "linux" }, "manifests[0].platform.architecture must be a string"],
      [{ os: 1, architecture: "amd64" }, "manifests[0].platform.os must be a string"],
      [{ os: "linux", architecture: "arm", variant: 7 }, "platform.variant must be a string"],
      [{ os: "windows", architecture: "amd64", "os.features": "x" }, "array of strings"],
    ];
    for (const [platform, message] of cases) {
      expect(invalidBecause(ociIndex({ manifests: [child(platform)] }))).toContain(message);
    }
    const platform = { os: "linux", architecture: "arm64", variant: "v8", "os.version": "1" };
    expect(parse(ociIndex({ manifests: [child(platform)] })).children).toEqual([digest("a")]);
  });
});

describe("Docker manifests", () => {
  test("an image manifest v2 is an image", () => {
    const document = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.dockerManifest,
      config: {
        mediaType: "application/vnd.docker.container.image.v1+json",
        digest: digest("c"),
        size: 7,
      },
      layers: [
        {
          mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip",
          digest: digest("1"),
          size: 9,
        },
      ],
    };
    const parsed = parse(document, MEDIA_TYPES.dockerManifest);
    expect(parsed).toMatchObject({
      mediaType: MEDIA_TYPES.dockerManifest,
      shape: "image",
      blobs: [digest("c"), digest("1")],
      artifactType: "application/vnd.docker.container.image.v1+json",
    });
  });

  test("a manifest list is an index", () => {
    const document = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.dockerManifestList,
      manifests: [
        {
          mediaType: MEDIA_TYPES.dockerManifest,
          digest: digest("d"),
          size: 5,
          platform: { architecture: "amd64", os: "linux" },
        },
      ],
    };
    expect(parse(document, MEDIA_TYPES.dockerManifestList)).toMatchObject({
      mediaType: MEDIA_TYPES.dockerManifestList,
      shape: "index",
      blobs: [],
      children: [digest("d")],
    });
  });
});

describe("artifacts", () => {
  test("an explicit artifactType wins over the config's media type", () => {
    const parsed = parse(
      ociManifest({
        artifactType: "application/vnd.example.sbom",
        config: { mediaType: "application/vnd.oci.empty.v1+json", digest: digest("e"), size: 2 },
      }),
    );
    expect(parsed.artifactType).toBe("application/vnd.example.sbom");
  });

  test("without an artifactType the config's media type stands in", () => {
    const config = { mediaType: "application/vnd.example.config", digest: digest("e"), size: 2 };
    expect(parse(ociManifest({ config })).artifactType).toBe("application/vnd.example.config");
  });

  test("an artifactType that is not a string is invalid", () => {
    expect(invalidBecause(ociManifest({ artifactType: 5 }))).toContain(
      "artifactType must be a string",
    );
  });
});

describe("subject", () => {
  const SUBJECT = {
    mediaType: MEDIA_TYPES.ociManifest,
    digest: digest("5"),
    size: 321,
    artifactType: "application/example",
    annotations: { note: "hi" },
  };

  test("is read as a descriptor, keeping artifactType and annotations", () => {
    expect(parse(ociManifest({ subject: SUBJECT })).subject).toEqual(SUBJECT);
  });

  test("an index may have one too", () => {
    expect(parse(ociIndex({ subject: SUBJECT })).subject?.digest).toBe(digest("5"));
  });

  test("is not a required blob", () => {
    expect(parse(ociManifest({ subject: SUBJECT })).blobs).not.toContain(digest("5"));
  });

  test("a subject that is not a descriptor is invalid", () => {
    expect(invalidBecause(ociManifest({ subject: digest("5") }))).toContain(
      "subject must be a descriptor object",
    );
    expect(invalidBecause(ociManifest({ subject: { ...SUBJECT, digest: "md5:00" } }))).toContain(
      "subject.digest",
    );
  });
});

describe("Content-Type against the body's mediaType", () => {
  test("a manifest type that disagrees with the body is manifest-invalid", () => {
    const message = invalidBecause(ociManifest(), MEDIA_TYPES.dockerManifest);
    expect(message).toContain("does not match");
  });

  test("an index sent as an image manifest is manifest-invalid", () => {
    expect(invalidBecause(ociIndex(), MEDIA_TYPES.ociManifest)).toContain("does not match");
  });

  test("a Content-Type that names no manifest type leaves the body to decide", () => {
    expect(parse(ociIndex(), "application/x-www-form-urlencoded").mediaType).toBe(
      MEDIA_TYPES.ociIndex,
    );
    expect(parse(ociManifest(), "application/json").mediaType).toBe(MEDIA_TYPES.ociManifest);
  });

  test("with no type anywhere, manifests means an OCI index", () => {
    const { mediaType: _, ...document } = ociIndex();
    expect(parse(document)).toMatchObject({ mediaType: MEDIA_TYPES.ociIndex, shape: "index" });
  });

  test("with no type anywhere, config means an OCI image manifest", () => {
    const { mediaType: _, ...document } = ociManifest();
    expect(parse(document)).toMatchObject({ mediaType: MEDIA_TYPES.ociManifest, shape: "image" });
  });

  test("with no type, no config and no manifests, the type cannot be told", () => {
    expect(invalidBecause({ schemaVersion: 2, layers: [] })).toContain("cannot tell");
  });

  test("a body mediaType that is not a manifest type is refused", () => {
    expect(invalidBecause(ociManifest({ mediaType: CONFIG_TYPE }))).toContain(
      `unsupported manifest mediaType ${CONFIG_TYPE}`,
    );
  });

  test("a mediaType that is not a string is invalid", () => {
    expect(invalidBecause(ociManifest({ mediaType: 2 }))).toContain("mediaType must be a string");
  });

  // MANIFEST_SHAPES is a plain object read with `in`, so names on Object.prototype pass as
  // manifest media types and the manifest would be stored and served with that type.
  for (const name of ["constructor", "toString", "__proto__"]) {
    test(`a body mediaType of ${name} is refused`, () => {
      expect(invalidBecause(ociManifest({ mediaType: name }))).toContain("unsupported");
    });
  }
  test("a Content-Type of constructor is not taken for a manifest type", () => {
    const { mediaType: _, ...document } = ociManifest();
    expect(parse(document, "constructor").mediaType).toBe(MEDIA_TYPES.ociManifest);
  });
});

describe("malformed documents", () => {
  test("text that is not JSON is invalid", () => {
    expect(invalidBecause(new TextEncoder().encode("{not json"))).toContain("not valid JSON");
  });

  test("bytes that are not UTF-8 are invalid", () => {
    expect(invalidBecause(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).toContain("not valid JSON");
  });

  test("a leading byte order mark is invalid: clients' JSON parsers refuse the stored bytes", () => {
    // Found by tests/fuzz/manifests.test.ts: the decoder dropped the BOM, so the manifest was
    // accepted and then served with it, unreadable to Go and JavaScript clients alike.
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes(ociManifest())]);
    expect(invalidBecause(withBom)).toContain("not valid JSON");
  });

  test("a name given twice is invalid: parsers disagree on which value counts", () => {
    // Found by tests/fuzz/manifests.test.ts: JSON.parse kept the last mediaType, so MCR
    // indexed the document as one type while a first-wins parser reads another.
    const text = JSON.stringify(ociManifest()).replace(
      "{",
      `{"mediaType":"${MEDIA_TYPES.ociIndex}",`,
    );
    expect(invalidBecause(new TextEncoder().encode(text))).toContain('"mediaType" twice');
    const nested = JSON.stringify(ociManifest()).replace('"size":100', '"size":100,"size":7');
    expect(invalidBecause(new TextEncoder().encode(nested))).toContain('"size" twice');
  });

  test("an index with config or layers, or an image with manifests, is invalid", () => {
    // Found by tests/fuzz/manifests.test.ts: such a document reads as the other kind to a
    // client that goes by its fields (CVE-2021-41190).
    expect(invalidBecause(ociIndex({ config: CONFIG }))).toContain("an index must not have config");
    expect(invalidBecause(ociIndex({ layers: [] }))).toContain("an index must not have layers");
    expect(invalidBecause(ociManifest({ manifests: [] }))).toContain(
      "an image manifest must not have manifests",
    );
  });

  for (const document of [[], null, "manifest", 2]) {
    test(`${JSON.stringify(document)} is not a JSON object`, () => {
      expect(invalidBecause(document)).toBe("manifest must be a JSON object");
    });
  }

  test("schemaVersion 1 is refused", () => {
    expect(invalidBecause(ociManifest({ schemaVersion: 1 }))).toContain("schemaVersion must be 2");
  });

  test("a missing or textual schemaVersion is refused", () => {
    const { schemaVersion: _, ...document } = ociManifest();
    expect(invalidBecause(document)).toContain("schemaVersion");
    expect(invalidBecause(ociManifest({ schemaVersion: "2" }))).toContain("schemaVersion");
  });

  test("annotations must map strings to strings", () => {
    expect(invalidBecause(ociManifest({ annotations: { a: 1 } }))).toContain(
      "annotations values must be strings",
    );
    expect(invalidBecause(ociManifest({ annotations: ["a"] }))).toContain(
      "annotations must be an object",
    );
  });

  test("layers that are not an array are invalid", () => {
    expect(invalidBecause(ociManifest({ layers: LAYER_1 }))).toContain(
      "layers must be an array of descriptors",
    );
  });

  test("an image manifest without a config is invalid", () => {
    const { config: _, ...document } = ociManifest();
    expect(invalidBecause(document)).toContain("config must be a descriptor object");
  });
});

describe("descriptors", () => {
  const BAD: Array<[why: string, config: unknown, says: string]> = [
    ["a missing mediaType", { digest: digest("c"), size: 1 }, "config.mediaType is required"],
    ["a numeric mediaType", { ...CONFIG, mediaType: 1 }, "config.mediaType must be a string"],
    ["a missing digest", { mediaType: CONFIG_TYPE, size: 1 }, "config.digest is required"],
    ["a malformed digest", { ...CONFIG, digest: "sha256:abc" }, "config.digest"],
    ["an upper-case digest", { ...CONFIG, digest: `sha256:${"C".repeat(64)}` }, "config.digest"],
    ["a missing size", { mediaType: CONFIG_TYPE, digest: digest("c") }, "config.size"],
    ["a negative size", { ...CONFIG, size: -1 }, "config.size must be a non-negative integer"],
    ["a fractional size", { ...CONFIG, size: 1.5 }, "config.size"],
    ["a textual size", { ...CONFIG, size: "100" }, "config.size"],
    ["an unsafe size", { ...CONFIG, size: 2 ** 60 }, "config.size"],
    ["bad annotations", { ...CONFIG, annotations: { a: true } }, "config.annotations"],
    ["an array", [CONFIG], "config must be a descriptor object"],
  ];
  for (const [why, config, says] of BAD) {
    test(`a config with ${why} is invalid`, () => {
      expect(invalidBecause(ociManifest({ config }))).toContain(says);
    });
  }

  test("a sha512 digest is accepted", () => {
    const layer = { ...LAYER_1, digest: `sha512:${"d".repeat(128)}` };
    expect(parse(ociManifest({ layers: [layer] })).blobs).toContain(layer.digest);
  });

  test("a size of zero is accepted", () => {
    expect(parse(ociManifest({ config: { ...CONFIG, size: 0 } })).blobs).toContain(CONFIG.digest);
  });
});

describe("keys that differ only in letter case", () => {
  // Go's encoding/json (skopeo, containerd, docker) matches keys to fields without regard to
  // case and keeps the last: MCR would check one list of layers and clients pull another.
  test("a second layers list spelled Layers is refused", () => {
    const layer = { ...LAYER_1, digest: digest("9") };
    const message = invalidBecause(ociManifest({ Layers: [layer] }));
    expect(message).toContain('"Layers"');
    expect(message).toContain('"layers"');
  });

  test("a MediaType after the mediaType is refused", () => {
    const text = JSON.stringify(ociManifest()).replace(
      "}",
      `},"MediaType":"${MEDIA_TYPES.ociIndex}"`,
    );
    expect(invalidBecause(new TextEncoder().encode(text))).toContain('"MediaType"');
  });

  const misspelled: Record<string, unknown> = {
    "a top-level field in capitals": ociManifest({ LAYERS: [] }),
    "a top-level field Go reads though MCR does not": ociManifest({ Manifests: [] }),
    "a config digest": ociManifest({ config: { ...CONFIG, Digest: digest("9") } }),
    "a layer's size with the long s Go folds onto s": ociManifest({
      layers: [{ ...LAYER_1, "\u017fize": 7 }],
    }),
    "a subject's mediaType": ociManifest({
      subject: { MEDIATYPE: MEDIA_TYPES.ociManifest, digest: digest("e"), size: 1 },
    }),
    "a child's platform": ociIndex({
      manifests: [
        { mediaType: MEDIA_TYPES.ociManifest, digest: digest("a"), size: 5, Platform: {} },
      ],
    }),
    "a platform's os": ociIndex({
      manifests: [
        {
          mediaType: MEDIA_TYPES.ociManifest,
          digest: digest("a"),
          size: 5,
          platform: { architecture: "amd64", os: "linux", OS: "windows" },
        },
      ],
    }),
    "two unknown keys in a descriptor": ociManifest({
      layers: [{ ...LAYER_1, "com.example.x": "1", "com.example.X": "2" }],
    }),
  };
  for (const [what, document] of Object.entries(misspelled)) {
    test(`${what} is refused`, () => {
      expect(invalidBecause(document)).toMatch(/spelled exactly|differ only in letter case/);
    });
  }

  test("annotations are maps, not fields: keys differing in case there are accepted", () => {
    const annotations = { "org.Foo": "a", "org.foo": "b", MediaType: "c", Digest: "d" };
    const document = ociManifest({
      annotations,
      layers: [{ ...LAYER_1, annotations }],
      subject: { ...LAYER_2, annotations },
      "com.example.extension": { Layers: [], layers: [] },
    });
    const parsed = parse(document);
    expect(parsed.annotations).toEqual(annotations);
    expect(parsed.references[1]?.annotations).toEqual(annotations);
    expect(parsed.subject?.annotations).toEqual(annotations);
  });
});
