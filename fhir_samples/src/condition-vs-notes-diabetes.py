# ruff: noqa: E501
"""Inpatient: the encounter's Condition resource says type 1 diabetes; every note says type 2 on metformin."""

HP = """\
ADMISSION HISTORY AND PHYSICAL - Hospital Medicine

Chief complaint: belly pain and vomiting since last night.

History of present illness: 64-year-old man with type 2 diabetes mellitus without complications (on metformin, never treated with insulin), hypertension, and an open appendectomy complicated by an abscess in 1998, who presents with 18 hours of crampy periumbilical pain, abdominal distension, five episodes of bilious vomiting and no flatus since last night. Last bowel movement yesterday morning. No fever, no blood in the vomit or stool.

Past medical history: type 2 diabetes mellitus without complications, diagnosed in 2016, on metformin; hypertension; hyperlipidemia; open appendectomy in 1998.
Medications: metformin 1,000 mg twice daily, lisinopril 20 mg daily, atorvastatin 40 mg daily.
Allergies: no known drug allergies.
Family history: father with colon cancer at 70; mother with hypertension.
Social history: warehouse supervisor, married; never smoker; one or two beers on weekends.
Review of systems: positive for abdominal pain, distension, nausea, vomiting and no passage of stool or gas. Negative for fever, chest pain, dyspnea, dysuria and weight loss.

Physical exam: T 37.0 C, HR 96, BP 148/86, RR 18, SpO2 98% on room air. Dry mucous membranes. Abdomen distended and tympanic, mildly tender throughout without guarding or rebound; well-healed right lower quadrant scar; high-pitched bowel sounds. No hernias.

Data: WBC 10.4, hemoglobin 15.1, sodium 137, potassium 3.8, chloride 99, bicarbonate 26, creatinine 1.0 (baseline 0.9), glucose 162, lactate 1.2, lipase normal, A1c 7.0%.
CT abdomen and pelvis with IV contrast: dilated small bowel loops to 3.8 cm with a transition point in the right lower quadrant, consistent with adhesions; no closed loop, no pneumatosis, no free fluid.

Assessment and plan:
1. Adhesive small bowel obstruction, partial - NPO, nasogastric tube to low intermittent suction, lactated Ringer's at 125 mL/h, serial abdominal exams. General surgery consulted; water-soluble contrast challenge in the morning if not improving.
2. Type 2 diabetes mellitus without complications - hold metformin while NPO; fingerstick glucose every 6 hours with correction-scale insulin lispro; resume metformin when eating.
3. Hypertension - IV hydralazine as needed for systolic pressure over 170 while NPO; resume lisinopril with diet.
4. Hyperlipidemia - resume atorvastatin with diet.
5. VTE prophylaxis - heparin subcutaneously.
"""

PN = """\
PROGRESS NOTE - Hospital day 2

Subjective: Passing flatus since 04:00 and had a small bowel movement after the contrast challenge. Nasogastric output down to 150 mL overnight. Pain 2/10. Asking to eat.

Objective:
Vitals: T 36.8 C, HR 78, BP 134/80, RR 16, SpO2 98% on room air.
Exam: abdomen soft, less distended, minimally tender, normal bowel sounds.
Imaging: abdominal x-ray 8 hours after water-soluble contrast shows contrast in the colon.
Labs: sodium 139, potassium 3.9, creatinine 0.9. Fingerstick glucose 118 to 164, with 2 to 4 units of correction insulin per check.

Assessment and plan:
1. Adhesive small bowel obstruction, partial - resolving with conservative management. Nasogastric tube removed; clear liquids, then a low-residue diet as tolerated. General surgery agrees; no operation needed.
2. Type 2 diabetes mellitus without complications - resume metformin 1,000 mg twice daily with meals this evening; stop correction insulin once eating. He confirms he has never used insulin at home.
3. Hypertension - resume lisinopril.
4. Hyperlipidemia - resume atorvastatin.
Disposition: home tomorrow if he tolerates a diet.
"""

DS = """\
DISCHARGE SUMMARY

Admission date: 09/22/2026. Discharge date: 09/24/2026.

Discharge diagnoses:
1. Adhesive small bowel obstruction, partial, resolved without surgery
2. Type 2 diabetes mellitus without complications
3. Hypertension
4. Hyperlipidemia

Hospital course: 64-year-old man with a remote open appendectomy admitted with a partial small bowel obstruction from adhesions. He was managed with bowel rest, nasogastric decompression and IV fluids; the water-soluble contrast challenge reached the colon within 8 hours and he passed flatus and stool on day 2. The nasogastric tube was removed, and he tolerated a low-residue diet by day 3. General surgery followed and did not operate. His type 2 diabetes was managed with correction-scale insulin while he was NPO and metformin was resumed with meals; A1c is 7.0%. Lisinopril and atorvastatin were resumed with diet.

Condition at discharge: stable, tolerating a low-residue diet, passing stool.

Discharge medications:
- metformin 1,000 mg twice daily
- lisinopril 20 mg daily
- atorvastatin 40 mg daily

Patient instructions: Eat a low-residue diet for three days, then go back to your usual diet, with small meals at first. Keep checking your blood sugar as before. Come back for vomiting, worsening belly pain or swelling, or no gas or stool for more than a day.

Follow-up: primary care in 1 to 2 weeks; general surgery clinic as needed. He is due for a screening colonoscopy (father with colon cancer; last one in 2019).
"""

SAMPLE = {
    "id": "condition-vs-notes-diabetes",
    "setting": "inpatient",
    "shows": "The encounter's Condition resource records type 1 diabetes mellitus (confirmed), while the H&P, progress note and discharge summary all document type 2 diabetes without complications on metformin, never on insulin at home.",
    "patient": {
        "given": "Ignatius",
        "family": "Pemberton-Sato",
        "gender": "male",
        "birth_date": "1962-05-19",
        "mrn": "FS-1009",
    },
    "practitioners": {
        "attending": {"given": "Yara", "family": "Devereux-Mensah", "suffix": "MD", "role": "attending"},
    },
    "attending": "attending",
    "period": ("2026-09-22T08:40:00Z", "2026-09-24T17:00:00Z"),
    "notes": [
        {
            "id": "hp",
            "type": "history-and-physical",
            "author": "attending",
            "date": "2026-09-22T11:30:00Z",
            "text": HP,
        },
        {
            "id": "pn1",
            "type": "progress-note",
            "author": "attending",
            "date": "2026-09-23T14:00:00Z",
            "text": PN,
        },
        {
            "id": "ds",
            "type": "discharge-summary",
            "author": "attending",
            "date": "2026-09-24T17:00:00Z",
            "text": DS,
        },
    ],
    "conditions": [
        {
            "text": "Type 1 diabetes mellitus",
            "snomed": "46635009",
            "snomed_display": "Diabetes mellitus type 1",
            "icd10cm": "E10.9",
            "icd10cm_display": "Type 1 diabetes mellitus without complications",
            "recorded": "2026-09-22",
        },
        {
            "text": "Adhesive small bowel obstruction, partial",
            "icd10cm": "K56.51",
            "icd10cm_display": "Intestinal adhesions [bands], with partial obstruction",
            "recorded": "2026-09-22",
            "asserter": "attending",
        },
    ],
    "observations": [
        ("8867-4", 96, "2026-09-22T08:50:00Z"),
        ("6690-2", 10.4, "2026-09-22T09:15:00Z"),
        ("2951-2", 137, "2026-09-22T09:15:00Z"),
        ("2160-0", 1.0, "2026-09-22T09:15:00Z"),
        ("2345-7", 162, "2026-09-22T09:15:00Z"),
        ("2524-7", 1.2, "2026-09-22T09:15:00Z"),
        ("4548-4", 7.0, "2026-09-22T09:15:00Z"),
        ("2160-0", 0.9, "2026-09-23T05:30:00Z"),
    ],
    "expected": [{"kind": "conflict", "topic": "diabetes"}],
    "not_expected": [],
}
