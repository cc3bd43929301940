{
 "patcher": {
  "fileversion": 1,
  "appversion": {
   "major": 8,
   "minor": 6,
   "revision": 0,
   "architecture": "x64",
   "modernui": 1
  },
  "classnamespace": "box",
  "rect": [
   100,
   100,
   760,
   560
  ],
  "boxes": [
   {
    "box": {
     "id": "obj-62",
     "maxclass": "comment",
     "numinlets": 1,
     "numoutlets": 0,
     "patching_rect": [
      20,
      14,
      474.5,
      40.0
     ],
     "text": "nn~ \u2014 nn~ in C. See the tabs: basic, messages, attributes, buffers, void.",
     "linecount": 2
    }
   },
   {
    "box": {
     "id": "obj-63",
     "maxclass": "newobj",
     "numinlets": 0,
     "numoutlets": 0,
     "patching_rect": [
      20,
      76.0,
      120,
      22.0
     ],
     "text": "p basic",
     "patcher": {
      "fileversion": 1,
      "appversion": {
       "major": 8,
       "minor": 6,
       "revision": 0,
       "architecture": "x64",
       "modernui": 1
      },
      "classnamespace": "box",
      "rect": [
       100,
       100,
       760,
       560
      ],
      "boxes": [
       {
        "box": {
         "id": "obj-1",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          14,
          480,
          60.0
         ],
         "text": "nn~: runs a deep-learning audio model (RAVE, vschaos2, any nn~ TorchScript file) on signals. The model runs on a worker thread: the audio thread never waits for it.",
         "linecount": 3
        }
       },
       {
        "box": {
         "id": "obj-2",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 1,
         "patching_rect": [
          20,
          96.0,
          140,
          22.0
         ],
         "text": "cycle~ 220"
        }
       },
       {
        "box": {
         "id": "obj-3",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 2,
         "patching_rect": [
          20,
          150.0,
          360,
          22.0
         ],
         "text": "nn~ nn_effects saturate 4096"
        }
       },
       {
        "box": {
         "id": "obj-4",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          204.0,
          80,
          22.0
         ],
         "text": "ezdac~"
        }
       },
       {
        "box": {
         "id": "obj-5",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          248.0,
          480,
          40.0
         ],
         "text": "Latency: 2B - n samples (n = vector size), or B - n with bufsize 0. bang tells it.",
         "linecount": 2
        }
       },
       {
        "box": {
         "id": "obj-6",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          310.0,
          480,
          60.0
         ],
         "text": "Non-Real-Time driver renders: create the object with @offline 1 so that every block waits for the model (Max does not tell externals which driver runs).",
         "linecount": 3
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-2",
          0
         ],
         "destination": [
          "obj-3",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-3",
          0
         ],
         "destination": [
          "obj-4",
          0
         ]
        }
       }
      ],
      "showontab": 1,
      "description": "basic"
     }
    }
   },
   {
    "box": {
     "id": "obj-64",
     "maxclass": "newobj",
     "numinlets": 0,
     "numoutlets": 0,
     "patching_rect": [
      20,
      106.0,
      120,
      22.0
     ],
     "text": "p messages",
     "patcher": {
      "fileversion": 1,
      "appversion": {
       "major": 8,
       "minor": 6,
       "revision": 0,
       "architecture": "x64",
       "modernui": 1
      },
      "classnamespace": "box",
      "rect": [
       100,
       100,
       760,
       560
      ],
      "boxes": [
       {
        "box": {
         "id": "obj-7",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          14,
          480,
          40.0
         ],
         "text": "Every message goes to the left inlet. Answers come out of the rightmost (info) outlet.",
         "linecount": 2
        }
       },
       {
        "box": {
         "id": "obj-8",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          70,
          44,
          22.0
         ],
         "text": "bang",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-9",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          70,
          480,
          40.0
         ],
         "text": "state on the info outlet: model, method, bufsize, dim, ratio, latency, overruns, mode",
         "linecount": 2
        }
       },
       {
        "box": {
         "id": "obj-10",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          120,
          72,
          22.0
         ],
         "text": "enable 0",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-11",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          120,
          331.5,
          20.0
         ],
         "text": "silence out, input not consumed (enable 1: back on)",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-12",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          150,
          51,
          22.0
         ],
         "text": "gpu 1",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-13",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          150,
          325.0,
          20.0
         ],
         "text": "run on a GPU (an error where libtorch has no CUDA)",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-14",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          180,
          121,
          22.0
         ],
         "text": "load nn_effects",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-15",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          180,
          344.5,
          20.0
         ],
         "text": "another model file, swapped in without stopping audio",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-16",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          210,
          121,
          22.0
         ],
         "text": "method saturate",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-17",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          210,
          175.5,
          20.0
         ],
         "text": "another method of the model",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-18",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          240,
          100,
          22.0
         ],
         "text": "bufsize 2048",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-19",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          240,
          480,
          20.0
         ],
         "text": "another buffer size (power of two; 0 = synchronous); delay auto: lower latency",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-20",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          270,
          58,
          22.0
         ],
         "text": "reload",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-21",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          270,
          480.0,
          20.0
         ],
         "text": "reload the file, keeping the values you set; resample 0: ignore a model's own rate",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-22",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          300,
          100,
          22.0
         ],
         "text": "set gain 0.5",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-23",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          300,
          480,
          40.0
         ],
         "text": "typed attribute value; buffer attributes take a buffer~ name, tensors an [array] name",
         "linecount": 2
        }
       },
       {
        "box": {
         "id": "obj-24",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          350,
          72,
          22.0
         ],
         "text": "get gain",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-25",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          350,
          214.5,
          20.0
         ],
         "text": "current value, on the info outlet",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-26",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          380,
          44,
          22.0
         ],
         "text": "dump",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-27",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          380,
          318.5,
          20.0
         ],
         "text": "everything the model declares, on the info outlet",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-28",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          410,
          170,
          22.0
         ],
         "text": "print_available_models",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-29",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          410,
          299.0,
          20.0
         ],
         "text": "list the IRCAM Forum models in the Max console",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-30",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          440,
          184,
          22.0
         ],
         "text": "download ircam/rave/isis",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-31",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          440,
          318.5,
          20.0
         ],
         "text": "download a model card into the user models folder",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-32",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          470,
          93,
          22.0
         ],
         "text": "remove isis",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-33",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          470,
          318.5,
          20.0
         ],
         "text": "delete a downloaded model (delete isis: the same)",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-34",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          500,
          93,
          22.0
         ],
         "text": "delete isis",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-35",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          500,
          117.0,
          20.0
         ],
         "text": "the same as remove",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-36",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          530,
          198,
          22.0
         ],
         "text": "api http://127.0.0.1:8000/",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-37",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          530,
          136.5,
          20.0
         ],
         "text": "use another model API",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-38",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 1,
         "patching_rect": [
          20,
          570,
          40,
          22.0
         ],
         "text": "t l"
        }
       },
       {
        "box": {
         "id": "obj-39",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 2,
         "patching_rect": [
          20,
          610,
          360,
          22.0
         ],
         "text": "nn~ nn_effects saturate 4096"
        }
       },
       {
        "box": {
         "id": "obj-40",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          300,
          650,
          80,
          22.0
         ],
         "text": "print info"
        }
       },
       {
        "box": {
         "id": "obj-140",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          130,
          240,
          75,
          22.0
         ],
         "text": "delay auto",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-141",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          100,
          270,
          80,
          22.0
         ],
         "text": "resample 0",
         "outlettype": [
          ""
         ]
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-8",
          0
         ],
         "destination": [
          "obj-38",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-10",
          0
         ],
         "destination": [
          "obj-38",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-12",
          0
         ],
         "destination": [
          "obj-38",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-14",
          0
         ],
         "destination": [
          "obj-38",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-16",
          0
         ],
         "destination": [
          "obj-38",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-18",
          0
         ],
         "destination": [
          "obj-38",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-20",
          0
         ],
         "destination": [
          "obj-38",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-22",
          0
         ],
         "destination": [
          "obj-38",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-24",
          0
         ],
         "destination": [
          "obj-38",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-26",
          0
         ],
         "destination": [
          "obj-38",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-28",
          0
         ],
         "destination": [
          "obj-38",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-30",
          0
         ],
         "destination": [
          "obj-38",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-32",
          0
         ],
         "destination": [
          "obj-38",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-34",
          0
         ],
         "destination": [
          "obj-38",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-36",
          0
         ],
         "destination": [
          "obj-38",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-38",
          0
         ],
         "destination": [
          "obj-39",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-39",
          1
         ],
         "destination": [
          "obj-40",
          0
         ]
        }
       },
       {
        "patchline": {
         "destination": [
          "obj-38",
          0
         ],
         "source": [
          "obj-140",
          0
         ]
        }
       },
       {
        "patchline": {
         "destination": [
          "obj-38",
          0
         ],
         "source": [
          "obj-141",
          0
         ]
        }
       }
      ],
      "showontab": 1,
      "description": "messages"
     }
    }
   },
   {
    "box": {
     "id": "obj-65",
     "maxclass": "newobj",
     "numinlets": 0,
     "numoutlets": 0,
     "patching_rect": [
      20,
      136.0,
      120,
      22.0
     ],
     "text": "p attributes",
     "patcher": {
      "fileversion": 1,
      "appversion": {
       "major": 8,
       "minor": 6,
       "revision": 0,
       "architecture": "x64",
       "modernui": 1
      },
      "classnamespace": "box",
      "rect": [
       100,
       100,
       760,
       560
      ],
      "boxes": [
       {
        "box": {
         "id": "obj-41",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          14,
          480,
          40.0
         ],
         "text": "Attributes: set them in the box (@name value) or send the attribute name with a value.",
         "linecount": 2
        }
       },
       {
        "box": {
         "id": "obj-42",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          60,
          72,
          22.0
         ],
         "text": "enable 1",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-43",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          60,
          130.0,
          20.0
         ],
         "text": "process (0: silence)",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-44",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          90,
          51,
          22.0
         ],
         "text": "gpu 0",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-45",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          90,
          65.0,
          20.0
         ],
         "text": "CPU or GPU",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-46",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          120,
          121,
          22.0
         ],
         "text": "track_buffers 1",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-47",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          120,
          331.5,
          20.0
         ],
         "text": "re-read buffer~ attributes when the buffer~ changes",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-48",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          150,
          79,
          22.0
         ],
         "text": "offline 1",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-49",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          150,
          480,
          40.0
         ],
         "text": "(at creation) wait for the model: complete renders with the Non-Real-Time driver",
         "linecount": 2
        }
       },
       {
        "box": {
         "id": "obj-50",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 2,
         "patching_rect": [
          20,
          230,
          360,
          22.0
         ],
         "text": "nn~ nn_effects saturate 4096"
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-42",
          0
         ],
         "destination": [
          "obj-50",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-44",
          0
         ],
         "destination": [
          "obj-50",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-46",
          0
         ],
         "destination": [
          "obj-50",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-48",
          0
         ],
         "destination": [
          "obj-50",
          0
         ]
        }
       }
      ],
      "showontab": 1,
      "description": "attributes"
     }
    }
   },
   {
    "box": {
     "id": "obj-66",
     "maxclass": "newobj",
     "numinlets": 0,
     "numoutlets": 0,
     "patching_rect": [
      20,
      166.0,
      120,
      22.0
     ],
     "text": "p buffers",
     "patcher": {
      "fileversion": 1,
      "appversion": {
       "major": 8,
       "minor": 6,
       "revision": 0,
       "architecture": "x64",
       "modernui": 1
      },
      "classnamespace": "box",
      "rect": [
       100,
       100,
       760,
       560
      ],
      "boxes": [
       {
        "box": {
         "id": "obj-51",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          14,
          480,
          60.0
         ],
         "text": "Buffer attributes read every channel of a buffer~ at its own sample rate; tensor attributes read an [array]. With @track_buffers 1, editing the buffer~ sets the attribute again.",
         "linecount": 3
        }
       },
       {
        "box": {
         "id": "obj-52",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 2,
         "patching_rect": [
          20,
          96.0,
          200,
          22.0
         ],
         "text": "buffer~ mysound jongly.aif"
        }
       },
       {
        "box": {
         "id": "obj-53",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 1,
         "patching_rect": [
          240,
          96.0,
          220,
          22.0
         ],
         "text": "array myvalues @value 0.1 0.2 0.3"
        }
       },
       {
        "box": {
         "id": "obj-54",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          140.0,
          142,
          22.0
         ],
         "text": "set sample mysound",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-55",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          200,
          140.0,
          142,
          22.0
         ],
         "text": "set table myvalues",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-56",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 2,
         "patching_rect": [
          20,
          194.0,
          360,
          22.0
         ],
         "text": "nn~ demo_attributes forward 4096 @track_buffers 1"
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-54",
          0
         ],
         "destination": [
          "obj-56",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-55",
          0
         ],
         "destination": [
          "obj-56",
          0
         ]
        }
       }
      ],
      "showontab": 1,
      "description": "buffers"
     }
    }
   },
   {
    "box": {
     "id": "obj-67",
     "maxclass": "newobj",
     "numinlets": 0,
     "numoutlets": 0,
     "patching_rect": [
      20,
      196.0,
      120,
      22.0
     ],
     "text": "p void",
     "patcher": {
      "fileversion": 1,
      "appversion": {
       "major": 8,
       "minor": 6,
       "revision": 0,
       "architecture": "x64",
       "modernui": 1
      },
      "classnamespace": "box",
      "rect": [
       100,
       100,
       760,
       560
      ],
      "boxes": [
       {
        "box": {
         "id": "obj-57",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          14,
          480,
          60.0
         ],
         "text": "nn~ void <inlets> <outlets> <bufsize>: an object with fixed cords and no model yet (silence until load). Extra model inputs are silent, extra outputs dropped.",
         "linecount": 3
        }
       },
       {
        "box": {
         "id": "obj-58",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          96.0,
          121,
          22.0
         ],
         "text": "load nn_effects",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-59",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          160,
          96.0,
          184,
          22.0
         ],
         "text": "download ircam/rave/isis",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-60",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          360,
          96.0,
          79,
          22.0
         ],
         "text": "load isis",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-61",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 3,
         "patching_rect": [
          20,
          150.0,
          220,
          22.0
         ],
         "text": "nn~ void 1 2 4096"
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-58",
          0
         ],
         "destination": [
          "obj-61",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-59",
          0
         ],
         "destination": [
          "obj-61",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-60",
          0
         ],
         "destination": [
          "obj-61",
          0
         ]
        }
       }
      ],
      "showontab": 1,
      "description": "void"
     }
    }
   }
  ],
  "lines": []
 }
}